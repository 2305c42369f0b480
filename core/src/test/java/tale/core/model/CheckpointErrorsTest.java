package tale.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.InputException;

/** Every malformed checkpoint or input fails with one line naming the file (or input) and the problem. */
class CheckpointErrorsTest {

    @TempDir
    Path tmp;
    Path dir;

    @BeforeEach
    void writeModel() throws Exception {
        dir = tmp.resolve("m");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(2), dir);
    }

    @Test
    void missingConfig() throws Exception {
        Files.delete(dir.resolve("config.json"));
        assertMessage(dir.resolve("config.json") + ": missing", () -> Model.load(dir));
    }

    @Test
    void malformedConfig() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\",");
        assertMessage(dir.resolve("config.json") + ": malformed JSON", () -> Model.load(dir));
    }

    @Test
    void configMissingAKey() throws Exception {
        editConfig(c -> c.remove("hidden_size"));
        assertMessage(dir.resolve("config.json") + ": missing \"hidden_size\"", () -> Model.load(dir));
    }

    @Test
    void unknownArchitecture() throws Exception {
        editConfig(c -> c.putArray("architectures").add("GPT2LMHeadModel"));
        assertMessage(dir.resolve("config.json") + ": unknown architecture \"GPT2LMHeadModel\"", () -> Model.load(dir));
    }

    @Test
    void missingTensor() throws Exception {
        rewriteTensors(Map.of("model.layers.1.mlp.up_proj.weight", "drop"));
        assertMessage(dir + ": missing tensor model.layers.1.mlp.up_proj.weight", () -> Model.load(dir));
    }

    @Test
    void wrongTensorShape() throws Exception {
        rewriteTensors(Map.of("model.layers.0.self_attn.q_proj.weight", "reshape"));
        assertMessage(dir.resolve("model.safetensors") + ": tensor model.layers.0.self_attn.q_proj.weight has shape [32, 128], expected [64, 64]",
                () -> Model.load(dir));
    }

    @Test
    void truncatedSafetensors() throws Exception {
        Path file = dir.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 100);
        }
        assertMessage(file + ": truncated safetensors file: tensor", () -> Model.load(dir));
    }

    @Test
    void notASafetensorsFile() throws Exception {
        Files.writeString(dir.resolve("model.safetensors"), "<html>not found</html>");
        assertMessage(dir.resolve("model.safetensors") + ": not a safetensors file", () -> Model.load(dir));
    }

    @Test
    void noWeights() throws Exception {
        Files.delete(dir.resolve("model.safetensors"));
        assertMessage(dir + ": no model.safetensors or model.safetensors.index.json", () -> Model.load(dir));
    }

    @Test
    void layerIndexOutOfRange() {
        assertMessage("layer 2 is out of range: the model has 2 layers (0-1)", () -> LayerMask.parse(2, "0,2"));
        assertMessage("layer -1 is out of range", () -> LayerMask.dropping(2, List.of(-1)));
        assertMessage("layer list \"1,x\" is not a comma-separated list of integers", () -> LayerMask.parse(2, "1,x"));
    }

    @Test
    void tokenOutsideTheVocabulary() {
        try (Model model = Model.load(dir)) {
            assertMessage("token id 320 is outside the vocabulary (size 320)", () -> model.logits(new int[] {1, 320}, model.fullMask()));
            assertMessage("token id -5 is outside the vocabulary", () -> model.logits(new int[] {-5}, model.fullMask()));
        }
    }

    private static void assertMessage(String expectedStart, org.junit.jupiter.api.function.Executable action) {
        InputException e = assertThrows(InputException.class, action);
        assertTrue(e.getMessage().startsWith(expectedStart), "message was: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }

    private void editConfig(java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        edit.accept(c);
        json.writeValue(dir.resolve("config.json").toFile(), c);
    }

    /** Rewrites model.safetensors, dropping or mis-shaping the named tensors. */
    private void rewriteTensors(Map<String, String> edits) throws Exception {
        Path file = dir.resolve("model.safetensors");
        Path copy = tmp.resolve("copy.safetensors");
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            SafeTensorsWriter w = new SafeTensorsWriter(Map.of());
            for (SafeTensorsFile.Entry e : in.entries().values()) {
                String edit = edits.get(e.name());
                if ("drop".equals(edit)) continue;
                long[] shape = "reshape".equals(edit) ? new long[] {e.shape()[0] / 2, e.shape()[1] * 2} : e.shape();
                w.addRaw(e.name(), e.type(), shape, in.map(e.offset(), e.length()));
            }
            w.write(copy);
        }
        Files.move(copy, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
