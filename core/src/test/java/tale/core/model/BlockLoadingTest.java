package tale.core.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tensors past one mapping's size, and BF16 tensors, load block by block into engine memory. Real
 * checkpoints hit this only with multi-GiB tensors; here the thresholds are lowered so that every tensor
 * spans several blocks, and the result is checked against the independent reference.
 */
class BlockLoadingTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restore() {
        Weights.maxMappedBytes = Integer.MAX_VALUE;
        Weights.blockBytes = 16L << 20;
    }

    @Test
    void everyDtypeLoadsCorrectlyAcrossManySmallBlocks() throws Exception {
        Weights.maxMappedBytes = 1000;
        Weights.blockBytes = 700; // a few rows per block, with a ragged last block
        int[] tokens = {256, 10, 20, 30, 40, 50};
        for (TensorType type : TensorType.values()) {
            Path dir = tmp.resolve(type.name());
            TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withDtype(type).withSeed(21), dir);
            double[][] expected = ReferenceForward.load(dir).logits(tokens, Set.of());
            try (Model model = Model.load(dir)) {
                double diff = ForwardReferenceTest.maxAbsDiff(expected, model.logits(tokens, model.fullMask()));
                assertTrue(diff < 1e-4, type + ": " + diff);
            }
        }
    }
}
