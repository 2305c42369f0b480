package tale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.ModelConfig;
import tale.core.model.TinyCheckpoint;

/** {@code tale boolean-expressions} and {@code tale finetune} through the real command line. */
class FinetuneCommandTest {

    @TempDir Path tmp;

    @Test
    void generatesRowsThenFinetunesAPrunedModelWithLoraIntoASmallerCheckpoint() throws Exception {
        Path data = tmp.resolve("bool.jsonl");
        LogitsCommandTest.Run gen = LogitsCommandTest.tale("boolean-expressions", "--out", data.toString(), "--count", "40",
                "--seed", "3");
        assertEquals(0, gen.status(), gen.err());
        List<String> lines = Files.readAllLines(data);
        assertEquals(40, lines.size());
        assertTrue(lines.get(0).matches("\\{\"input\":\"[a-zA-Z() ]+ is\",\"target\":\"(True|False)\"}"), lines.get(0));

        Path model = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(3).withSeed(2), model);
        Path out = tmp.resolve("ft");
        LogitsCommandTest.Run ft = LogitsCommandTest.tale("finetune", "--model", model.toString(), "--task",
                "bbh_boolean_expressions", "--data", data.toString(), "--drop", "0", "--lora-rank", "2", "--max-steps", "2",
                "--batch-size", "8", "--out", out.toString());
        assertEquals(0, ft.status(), ft.err());
        JsonNode summary = new ObjectMapper().readTree(ft.out());
        assertEquals(2, summary.get("layers").asInt());
        assertEquals(2, summary.get("steps").asInt());
        assertTrue(summary.has("accuracyBefore") && summary.has("accuracyAfter"), ft.out());
        assertEquals(2, ModelConfig.read(out).numLayers());
        assertTrue(ft.err().contains("finetune"), "progress bar on stderr: " + ft.err());
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        LogitsCommandTest.Run r = LogitsCommandTest.tale("boolean-expressions", "--out", tmp.resolve("x.jsonl").toString(),
                "--min-words", "5", "--max-words", "2");
        assertEquals(Tale.EXIT_BAD_INPUT, r.status());
        assertTrue(r.err().contains("expression length"), r.err());
    }
}
