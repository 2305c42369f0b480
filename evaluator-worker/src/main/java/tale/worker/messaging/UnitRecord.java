package tale.worker.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Optional;
import tale.messages.WorkUnit;

/**
 * Reading a work-unit record: the unit, or why it is not one. A record that is JSON but not a valid unit may
 * still name its job and unit, so the orchestrator can be told; one that is not even JSON cannot be answered.
 */
final class UnitRecord {

    /** Who an unreadable unit would answer to. */
    record Address(String jobId, String unitId, int attempt) { }

    /** The record is not a unit this worker can read. */
    static final class Unreadable extends Exception {
        final Optional<Address> address;

        Unreadable(String message, Optional<Address> address) {
            super(message);
            this.address = address;
        }
    }

    private UnitRecord() { }

    static WorkUnit parse(ObjectMapper json, String payload) throws Unreadable {
        if (payload == null) throw new Unreadable("work-unit record has no value", Optional.empty());
        JsonNode tree;
        try {
            tree = json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new Unreadable("work-unit record is not JSON: " + e.getOriginalMessage(), Optional.empty());
        }
        try {
            return json.treeToValue(tree, WorkUnit.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new Unreadable("invalid work unit: " + reason(e), address(tree));
        }
    }

    private static String reason(Exception e) {
        if (e instanceof ValueInstantiationException v && v.getCause() != null) return v.getCause().getMessage();
        if (e instanceof JsonProcessingException j) return j.getOriginalMessage();
        return e.getMessage();
    }

    private static Optional<Address> address(JsonNode tree) {
        String job = tree.path("jobId").asText("");
        String unit = tree.path("unitId").asText("");
        if (!tree.isObject() || job.isBlank() || unit.isBlank()) return Optional.empty();
        return Optional.of(new Address(job, unit, Math.max(1, tree.path("attempt").asInt(1))));
    }
}
