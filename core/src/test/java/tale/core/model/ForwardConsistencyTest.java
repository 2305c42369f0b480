package tale.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's fast paths (batching, KV cache, forks, masks) agree with the plain computation. */
class ForwardConsistencyTest {

    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path tmp;
    static Path dir;
    static Model model;

    static final List<int[]> PROMPTS = List.of(
            new int[] {256, 72, 101, 108, 108, 111},
            new int[] {256, 84, 104, 101, 32, 113, 117, 105, 99, 107, 32, 98, 114, 111, 119, 110},
            new int[] {256, 65},
            new int[] {256, 49, 43, 49, 61, 50, 10, 50, 43, 50, 61});

    @BeforeAll
    static void load() throws Exception {
        dir = tmp.resolve("llama");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(5).withSeed(11), dir);
        model = Model.load(dir);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void batchedPaddedPrefillEqualsPerSequencePrefill() {
        LayerMask mask = LayerMask.dropping(5, List.of(2));
        List<int[]> positions = PROMPTS.stream().map(p -> IntStream.range(0, p.length).toArray()).toList();
        List<float[][]> batched = model.logitsAt(PROMPTS, mask, positions);
        for (int b = 0; b < PROMPTS.size(); b++) {
            float[][] alone = model.logits(PROMPTS.get(b), mask);
            assertTrue(maxDiff(alone, batched.get(b)) < TOLERANCE, "sequence " + b);
        }
    }

    @Test
    void kvCacheGenerationEqualsFullRecomputation() {
        assertGenerationMatchesRecomputation(model, LayerMask.dropping(5, List.of(1)));
    }

    @Test
    void kvCacheGenerationHonoursTheSlidingWindow() throws Exception {
        Path mistral = tmp.resolve("mistral-window");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("mistral").withSlidingWindow(4).withSeed(12), mistral);
        try (Model windowed = Model.load(mistral)) {
            assertGenerationMatchesRecomputation(windowed, windowed.fullMask());
        }
    }

    static void assertGenerationMatchesRecomputation(Model model, LayerMask mask) {
        int steps = 12;
        List<ForwardState.Generation> generated = model.generate(PROMPTS, mask, steps, Set.of());
        for (int b = 0; b < PROMPTS.size(); b++) {
            int[] seq = PROMPTS.get(b);
            int[] tokens = generated.get(b).tokens();
            assertEquals(steps, tokens.length);
            for (int step = 0; step < steps; step++) {
                float[][] full = model.logits(seq, mask); // recompute everything from scratch
                int argmax = argmax(full[full.length - 1]);
                assertEquals(argmax, tokens[step], "sequence " + b + " step " + step);
                seq = append(seq, argmax);
            }
        }
    }

    @Test
    void extendReusesTheCacheAndEqualsFullPrefill() {
        LayerMask mask = LayerMask.dropping(5, List.of(0, 4));
        List<int[]> continuations = List.of(new int[] {32, 65, 66}, new int[] {33}, new int[] {10, 10, 10, 10, 10}, new int[] {52, 53});
        try (ForwardState prompt = model.start(PROMPTS).runAll(mask);
             ForwardState extended = prompt.extend(continuations)) {
            List<int[]> positions = continuations.stream().map(c -> IntStream.range(0, c.length).toArray()).toList();
            List<float[][]> viaCache = extended.logitsAt(positions);
            for (int b = 0; b < PROMPTS.size(); b++) {
                int[] whole = concat(PROMPTS.get(b), continuations.get(b));
                float[][] full = model.logits(whole, mask);
                float[][] tail = java.util.Arrays.copyOfRange(full, PROMPTS.get(b).length, whole.length);
                assertTrue(maxDiff(tail, viaCache.get(b)) < TOLERANCE, "sequence " + b);
            }
            // log-probabilities in the engine equal log-softmax of those logits
            List<int[]> targets = continuations.stream().map(c -> new int[] {c[0]}).toList();
            List<float[]> lp = extended.logProbsAt(continuations.stream().map(c -> new int[] {0}).toList(), targets);
            for (int b = 0; b < PROMPTS.size(); b++) {
                float[] row = viaCache.get(b)[0];
                assertEquals(logSoftmax(row)[targets.get(b)[0]], lp.get(b)[0], 1e-4);
            }
        }
    }

    @Test
    void resumingAForkFromALayerBoundaryEqualsTheMaskedForward() {
        LayerMask current = LayerMask.dropping(5, List.of(3));
        List<int[]> last = PROMPTS.stream().map(p -> new int[] {p.length - 1}).toList();
        try (ForwardState main = model.start(PROMPTS)) {
            for (int layer = 0; layer < 5; layer++) {
                if (!current.isActive(layer)) continue;
                try (ForwardState candidate = main.fork()) {
                    candidate.skipTo(layer + 1).runAll(current);
                    List<float[][]> resumed = candidate.logitsAt(last);
                    List<float[][]> plain = model.logitsAt(PROMPTS, current.without(layer), last);
                    for (int b = 0; b < PROMPTS.size(); b++) {
                        assertTrue(maxDiff(plain.get(b), resumed.get(b)) < TOLERANCE, "layer " + layer + " seq " + b);
                    }
                    // generation from the fork decodes with exactly the layers it ran
                    assertEquals(tokens(model.generate(PROMPTS, current.without(layer), 4, Set.of())),
                            tokens(candidate.generate(4, Set.of())));
                }
                main.runLayer(layer);
            }
        }
    }

    @Test
    void removingLayersByMaskEqualsPhysicallyDeletedCheckpoint() throws Exception {
        Path pruned = tmp.resolve("pruned");
        List<Integer> drop = List.of(1, 3);
        writeWithoutLayers(dir, pruned, drop);
        try (Model small = Model.load(pruned)) {
            assertEquals(3, small.numLayers());
            for (int[] p : PROMPTS) {
                float[][] masked = model.logits(p, LayerMask.dropping(5, drop));
                float[][] deleted = small.logits(p, small.fullMask());
                assertTrue(maxDiff(masked, deleted) < 1e-5);
            }
        }
    }

    @Test
    void stopTokensEndGenerationPerSequence() {
        LayerMask mask = model.fullMask();
        List<ForwardState.Generation> free = model.generate(PROMPTS, mask, 6, Set.of());
        int stop = free.get(0).tokens()[2];
        List<ForwardState.Generation> stopped = model.generate(PROMPTS, mask, 6, Set.of(stop));
        int firstStop = indexOf(free.get(0).tokens(), stop);
        assertTrue(stopped.get(0).stopped());
        assertArrayEquals(java.util.Arrays.copyOf(free.get(0).tokens(), firstStop), stopped.get(0).tokens());
        for (int b = 1; b < PROMPTS.size(); b++) {
            int at = indexOf(free.get(b).tokens(), stop);
            int[] expected = at < 0 ? free.get(b).tokens() : java.util.Arrays.copyOf(free.get(b).tokens(), at);
            assertArrayEquals(expected, stopped.get(b).tokens(), "sequence " + b);
        }
    }

    @Test
    void llama3RopeScalingChangesTheOutput() throws Exception {
        Path plain = tmp.resolve("no-scaling");
        copyDir(dir, plain);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(plain.resolve("config.json").toFile());
        cfg.putNull("rope_scaling");
        json.writeValue(plain.resolve("config.json").toFile(), cfg);
        try (Model unscaled = Model.load(plain)) {
            double diff = maxDiff(model.logits(PROMPTS.get(1), model.fullMask()), unscaled.logits(PROMPTS.get(1), unscaled.fullMask()));
            assertTrue(diff > 1e-2, "rope scaling had no visible effect: " + diff);
        }
    }

    @Test
    void halfPrecisionStaysCloseToFullPrecision() {
        try (Model half = Model.load(dir, new Model.Options(Model.Precision.F16, "cpu"))) {
            double diff = maxDiff(model.logits(PROMPTS.get(1), model.fullMask()), half.logits(PROMPTS.get(1), half.fullMask()));
            assertTrue(diff < 0.1, "f16 logits drift " + diff);
        }
    }

    /** Renumbers the kept layers into a new checkpoint, independently of any export code under test. */
    static void writeWithoutLayers(Path src, Path out, List<Integer> drop) throws Exception {
        Files.createDirectories(out);
        try (SafeTensorsFile in = SafeTensorsFile.open(src.resolve("model.safetensors"))) {
            SafeTensorsWriter w = new SafeTensorsWriter(Map.of("format", "pt"));
            List<Integer> kept = new ArrayList<>();
            for (int l = 0; l < 5; l++) if (!drop.contains(l)) kept.add(l);
            for (SafeTensorsFile.Entry e : in.entries().values()) {
                String name = e.name();
                if (name.startsWith("model.layers.")) {
                    int l = Integer.parseInt(name.split("\\.")[2]);
                    if (drop.contains(l)) continue;
                    name = name.replaceFirst("model\\.layers\\.\\d+\\.", "model.layers." + kept.indexOf(l) + ".");
                }
                w.addRaw(name, e.type(), e.shape(), in.map(e.offset(), e.length()));
            }
            w.write(out.resolve("model.safetensors"));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(src.resolve("config.json").toFile());
        cfg.put("num_hidden_layers", 5 - drop.size());
        json.writeValue(out.resolve("config.json").toFile(), cfg);
    }

    static void copyDir(Path src, Path out) throws Exception {
        Files.createDirectories(out);
        try (var files = Files.list(src)) {
            for (Path f : files.toList()) Files.copy(f, out.resolve(f.getFileName()));
        }
    }

    static List<List<Integer>> tokens(List<ForwardState.Generation> gens) {
        return gens.stream().map(g -> IntStream.of(g.tokens()).boxed().toList()).toList();
    }

    static double maxDiff(float[][] a, float[][] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i].length, b[i].length);
            for (int j = 0; j < a[i].length; j++) max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
        }
        return max;
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : row) max = Math.max(max, v);
        for (float v : row) sum += Math.exp(v - max);
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) out[i] = row[i] - max - Math.log(sum);
        return out;
    }

    static int[] append(int[] a, int x) {
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = x;
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int indexOf(int[] a, int x) {
        for (int i = 0; i < a.length; i++) if (a[i] == x) return i;
        return -1;
    }
}
