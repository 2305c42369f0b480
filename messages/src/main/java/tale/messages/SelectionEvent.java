package tale.messages;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * A search job's decision, published on {@link Topics#SELECTIONS}: for {@code model} on {@code task},
 * deploy the configuration that removes {@code removedLayers} (0-based indices into the model's
 * {@code numLayers} layers). Model servers apply it to the profile the event maps to.
 *
 * <p>JSON (schema version 1; see messages/README.md):
 * <pre>{"schemaVersion":1,"jobId":"job-42","model":"qwen3-0.6b","numLayers":28,"task":"boolq",
 * "deployed":"bsba","removedLayers":[3,5,17],"accuracy":0.812,"timestamp":"2025-01-31T12:00:00Z"}</pre>
 * Construction validates every field, so a malformed record fails when it is read.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SelectionEvent(
        int schemaVersion,
        String jobId,
        String model,
        int numLayers,
        String task,
        Deployed deployed,
        List<Integer> removedLayers,
        double accuracy,
        @JsonFormat(shape = JsonFormat.Shape.STRING) Instant timestamp) implements Message {

    public static final int SCHEMA_VERSION = 1;

    /** Which configuration of the search the job deploys. */
    public enum Deployed {
        /** The removal set with the best measured accuracy. */
        @JsonProperty("best") BEST,
        /** The best configuration found by the backward search with budget adjustment (BSBA). */
        @JsonProperty("bsba") BSBA,
        /** The configuration the search ended with. */
        @JsonProperty("final") FINAL
    }

    public SelectionEvent {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("schemaVersion " + schemaVersion + " is not supported (expected "
                    + SCHEMA_VERSION + ")");
        }
        requireText("jobId", jobId);
        requireText("model", model);
        requireText("task", task);
        if (numLayers < 1) throw new IllegalArgumentException("numLayers must be positive, got " + numLayers);
        Objects.requireNonNull(deployed, "deployed is missing (best, bsba or final)");
        Objects.requireNonNull(removedLayers, "removedLayers is missing");
        removedLayers = List.copyOf(removedLayers);
        if (new HashSet<>(removedLayers).size() != removedLayers.size()) {
            throw new IllegalArgumentException("removedLayers " + removedLayers + " lists a layer twice");
        }
        for (int layer : removedLayers) {
            if (layer < 0 || layer >= numLayers) {
                throw new IllegalArgumentException("removedLayers has " + layer + ", outside 0.." + (numLayers - 1));
            }
        }
        if (removedLayers.size() == numLayers) throw new IllegalArgumentException("removedLayers removes every layer");
        if (!Double.isFinite(accuracy)) throw new IllegalArgumentException("accuracy must be a finite number");
        Objects.requireNonNull(timestamp, "timestamp is missing");
    }

    /** An event of the current schema version. */
    public static SelectionEvent of(String jobId, String model, int numLayers, String task, Deployed deployed,
                                    List<Integer> removedLayers, double accuracy, Instant timestamp) {
        return new SelectionEvent(SCHEMA_VERSION, jobId, model, numLayers, task, deployed, removedLayers, accuracy,
                timestamp);
    }

    private static void requireText(String field, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(field + " is missing or blank");
    }
}
