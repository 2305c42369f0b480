package tale.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.CheckpointExport;
import tale.core.model.Model;
import tale.core.model.TinyCheckpoint;

/** LoRA trains only adapters, leaves the loaded weights untouched, and the merged checkpoint computes what the adapters did. */
class LoraMergeTest {

    @TempDir
    Path tmp;

    @Test
    void mergedCheckpointEqualsTheAdaptedForward() throws Exception {
        Path source = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(2).withSeed(9), source);
        Path out = tmp.resolve("merged");
        CheckpointExport.export(source, "", out, false);
        List<TrainingSequence> data = GradientCheckTest.BATCH;
        float original, adapted, merged;
        try (Model model = Model.load(out); TrainableWeights lora = TrainableWeights.lora(model, 2, 4f, 1)) {
            original = loss(model, model.tensors(), data);
            long adapters = lora.trainableCount();
            // per layer, rank x (in + out) of q (64+64), k and v (64+32 each), o (64+64), gate and up (64+128 each), down (128+64)
            assertEquals(2L * 2 * (128 + 96 + 96 + 128 + 192 + 192 + 192), adapters,
                    "rank-2 adapters on q, k, v, o, gate, up, down of 2 layers");
            Trainer.train(model, lora, data, Trainer.Options.defaults().withEpochs(20).withLearningRate(1e-2f).withBatchSize(2),
                    (s, t, l, n) -> { });
            assertEquals(original, loss(model, model.tensors(), data), 0f, "the loaded weights are unchanged");
            try (NDManager scope = NDManager.newBaseManager()) {
                adapted = loss(model, lora.forStep(scope), data);
                TrainedCheckpoint.write(out, lora.merged(scope), TrainedCheckpoint.dtype(out));
            }
        }
        try (Model saved = Model.load(out)) {
            merged = loss(saved, saved.tensors(), data);
        }
        assertTrue(adapted < original * 0.8, "training lowered the loss: " + original + " -> " + adapted);
        assertEquals(adapted, merged, 1e-4f, "the merged checkpoint computes what the adapters did");
    }

    private static float loss(Model model, java.util.Map<String, ai.djl.ndarray.NDArray> tensors, List<TrainingSequence> data) {
        try (NDManager scope = NDManager.newBaseManager()) {
            return Trainer.loss(model.withTensors(tensors, scope), scope, data).getFloat();
        }
    }
}
