package tale.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The DJL forward against the plain-Java double-precision reference, on every family and file layout. */
class ForwardReferenceTest {

    static final double TOLERANCE = 1e-4;
    static final int[] TOKENS = {256, 72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33, 10, 7, 300, 99};

    @TempDir
    static Path tmp;

    static Stream<Arguments> checkpoints() {
        return Stream.of(
                Arguments.of("llama GQA llama3-rope f32", TinyCheckpoint.Spec.defaults("llama").withSeed(1)),
                Arguments.of("llama bf16 sharded", TinyCheckpoint.Spec.defaults("llama").withSeed(2).withDtype(TensorType.BF16).withShards(3)),
                Arguments.of("llama q/k/v/o biases", TinyCheckpoint.Spec.defaults("llama").withSeed(3).withAttentionBias(true)),
                Arguments.of("qwen2 biases tied f32", TinyCheckpoint.Spec.defaults("qwen2").withSeed(4).withTied(true)),
                Arguments.of("qwen2 bf16 tied sharded", TinyCheckpoint.Spec.defaults("qwen2").withSeed(5).withTied(true).withDtype(TensorType.BF16).withShards(2)),
                Arguments.of("mistral f32", TinyCheckpoint.Spec.defaults("mistral").withSeed(6)),
                Arguments.of("mistral sliding window f16", TinyCheckpoint.Spec.defaults("mistral").withSeed(7).withSlidingWindow(5).withDtype(TensorType.F16)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checkpoints")
    void matchesReference(String name, TinyCheckpoint.Spec spec) throws Exception {
        Path dir = tmp.resolve(name.replace(' ', '_').replace('/', '_'));
        TinyCheckpoint.write(spec, dir);
        ReferenceForward ref = ReferenceForward.load(dir);
        try (Model model = Model.load(dir)) {
            for (Set<Integer> dropped : List.of(Set.<Integer>of(), Set.of(1), Set.of(0, 3))) {
                double[][] expected = ref.logits(TOKENS, dropped);
                float[][] actual = model.logits(TOKENS, LayerMask.dropping(model.numLayers(), dropped));
                double diff = maxAbsDiff(expected, actual);
                assertTrue(diff < TOLERANCE, name + " dropped " + dropped + ": max |diff| " + diff);
                assertTrue(spread(expected) > 1.0, "logits are too flat to make the comparison meaningful");
            }
        }
    }

    static double maxAbsDiff(double[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t].length, actual[t].length);
            for (int v = 0; v < expected[t].length; v++) max = Math.max(max, Math.abs(expected[t][v] - actual[t][v]));
        }
        return max;
    }

    private static double spread(double[][] logits) {
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (double[] row : logits) for (double v : row) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min;
    }

}
