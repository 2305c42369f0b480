package tale.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.Checkpoint;
import tale.core.model.SafeTensorsFile;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;

/** {@code tale export} through the real command line: the exported model's logits equal {@code --drop}'s. */
class ExportCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "Layers removed, weights unchanged: ünïcödé too.";

    @TempDir Path tmp;

    /** The command line run in this JVM, its output captured (shared with the logits tests). */
    private static LogitsCommandTest.Run tale(String... args) {
        return LogitsCommandTest.tale(args);
    }

    private static float[][] logits(String... args) throws Exception {
        LogitsCommandTest.Run r = tale(args);
        assertEquals(0, r.status(), r.err());
        JsonNode rows = JSON.readTree(r.out()).get("logits");
        float[][] out = new float[rows.size()][];
        for (int t = 0; t < out.length; t++) {
            out[t] = new float[rows.get(t).size()];
            for (int v = 0; v < out[t].length; v++) out[t][v] = (float) rows.get(t).get(v).asDouble();
        }
        return out;
    }

    private static void assertClose(float[][] expected, float[][] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "positions");
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t].length, actual[t].length, "vocabulary");
            for (int v = 0; v < expected[t].length; v++) {
                assertEquals(expected[t][v], actual[t][v], tolerance, "logit at position " + t + ", token " + v);
            }
        }
    }

    /** Exports, then checks logits of the exported model against --drop on the source; returns the export dir. */
    private Path exportAndCompare(Path source, String drop) throws Exception {
        Path out = tmp.resolve("exported");
        LogitsCommandTest.Run export = tale("export", "--model", source.toString(), "--drop", drop, "--out", out.toString());
        assertEquals(0, export.status(), export.err());
        float[][] dropped = logits("logits", "--model", source.toString(), "--drop", drop, "--text", TEXT);
        float[][] exported = logits("logits", "--model", out.toString(), "--text", TEXT);
        assertClose(dropped, exported, 1e-5);
        float[][] full = logits("logits", "--model", source.toString(), "--text", TEXT);
        assertFalse(maxDifference(full, exported) < 1e-3, "removing layers must change the logits");
        return out;
    }

    private static double maxDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int t = 0; t < a.length; t++) for (int v = 0; v < a[t].length; v++) max = Math.max(max, Math.abs(a[t][v] - b[t][v]));
        return max;
    }

    @Test
    void llamaBf16ShardedExportEqualsDrop() throws Exception {
        Path source = tmp.resolve("llama");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(6).withDtype(TensorType.BF16)
                .withShards(3).withSeed(7), source);
        // Shards hold layers {0,1}, {2,3}, {4,5}: dropping 2,3 empties the middle shard.
        Path out = exportAndCompare(source, "2,3");

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals(4, config.get("num_hidden_layers").asInt());
        assertEquals(2, config.get("num_key_value_heads").asInt(), "other keys unchanged");
        JsonNode index = JSON.readTree(out.resolve(Checkpoint.INDEX_FILE).toFile());
        assertEquals("model-00002-of-00002.safetensors", index.get("weight_map").get("model.layers.3.mlp.up_proj.weight").asText());
        assertFalse(index.get("weight_map").has("model.layers.4.mlp.up_proj.weight"));
        assertTrue(Files.exists(out.resolve("model-00001-of-00002.safetensors")));
        assertFalse(Files.exists(out.resolve("model-00001-of-00003.safetensors")));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertArrayEquals(Files.readAllBytes(source.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        // Old layer 5 is new layer 3, byte for byte, still bf16.
        try (Checkpoint src = Checkpoint.open(source); Checkpoint dst = Checkpoint.open(out)) {
            SafeTensorsFile.Entry before = src.tensors().get("model.layers.5.self_attn.k_proj.weight");
            SafeTensorsFile.Entry after = dst.tensors().get("model.layers.3.self_attn.k_proj.weight");
            assertEquals(TensorType.BF16, after.type());
            assertArrayEquals(before.shape(), after.shape());
            assertEquals(bytes(src.map(before, 0, before.length())), bytes(dst.map(after, 0, after.length())));
            assertEquals(src.tensors().size() - 2 * 9, dst.tensors().size());
        }
    }

    private static ByteBuffer bytes(ByteBuffer b) {
        return b.duplicate();
    }

    @Test
    void qwen2TiedExportEqualsDrop() throws Exception {
        Path source = tmp.resolve("qwen2");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(5).withTied(true).withSeed(3), source);
        Path out = exportAndCompare(source, "0,3");
        assertTrue(Files.exists(out.resolve(Checkpoint.SINGLE_FILE)), "a single-file source stays one file");
        try (Checkpoint dst = Checkpoint.open(out)) {
            assertFalse(dst.has("lm_head.weight"), "tied embeddings stay tied");
            assertTrue(dst.has("model.layers.2.self_attn.q_proj.bias"));
            assertFalse(dst.has("model.layers.3.self_attn.q_proj.bias"));
        }
    }

    @Test
    void slidingWindowLayersKeepTheirKindAfterRenumbering() throws Exception {
        // Qwen2: layers at index >= max_window_layers attend within the window. With window 3 on a longer
        // text, putting the wrong kind on a renumbered layer changes the logits.
        Path source = tmp.resolve("qwen2-window");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(6).withSlidingWindow(3).withSeed(11), source);
        ObjectNode config = (ObjectNode) JSON.readTree(source.resolve("config.json").toFile());
        config.put("max_window_layers", 3);
        JSON.writeValue(source.resolve("config.json").toFile(), config);
        Path out = exportAndCompare(source, "1,4");
        assertEquals(2, JSON.readTree(out.resolve("config.json").toFile()).get("max_window_layers").asInt());
    }

    @Test
    void badInputIsOneLineAndExitStatusTwo() throws Exception {
        Path source = tmp.resolve("small");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(3), source);
        Path occupied = Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(occupied.resolve("notes.txt"), "keep me");
        String[][] cases = {
            {"--drop", "3", "--out", tmp.resolve("a").toString()},
            {"--drop", "0,1,2", "--out", tmp.resolve("b").toString()},
            {"--drop", "1", "--out", source.toString()},
            {"--drop", "1", "--out", occupied.toString()},
            {"--drop", "x", "--out", tmp.resolve("c").toString()},
        };
        String[] expected = {"out of range", "removes all 3 layers", "is the source directory", "is not empty", "not a comma-separated"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 3];
            args[0] = "export";
            args[1] = "--model";
            args[2] = source.toString();
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            LogitsCommandTest.Run r = tale(args);
            assertEquals(Tale.EXIT_BAD_INPUT, r.status(), String.join(" ", args));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(expected[i]), r.err());
        }
        assertEquals("keep me", Files.readString(occupied.resolve("notes.txt")));
        LogitsCommandTest.Run forced = tale("export", "--model", source.toString(), "--drop", "1", "--out", occupied.toString(), "--force");
        assertEquals(0, forced.status(), forced.err());
        assertTrue(Files.exists(occupied.resolve(Checkpoint.SINGLE_FILE)));
    }
}
