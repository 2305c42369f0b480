package tale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The parts of {@code generation_config.json} the runtime honours: end-of-sequence ids. */
public record GenerationConfig(List<Integer> eosTokenIds) {

    public static GenerationConfig read(Path dir) {
        Path file = dir.resolve("generation_config.json");
        if (!Files.exists(file)) return new GenerationConfig(List.of());
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw CheckpointException.at(file, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<Integer> ids = new ArrayList<>();
        JsonNode eos = root == null ? null : root.get("eos_token_id");
        if (eos != null && eos.isArray()) eos.forEach(n -> ids.add(n.asInt()));
        else if (eos != null && eos.isInt()) ids.add(eos.asInt());
        return new GenerationConfig(List.copyOf(ids));
    }
}
