package tale.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.Model;
import tale.core.model.TinyCheckpoint;

/**
 * The gradients autograd computes through the runtime's forward (on trainable f64 copies of the weights) equal
 * central finite differences of the same loss, for entries of every kind of tensor, on a padded batch.
 */
class GradientCheckTest {

    static final List<TrainingSequence> BATCH = List.of(
            new TrainingSequence(new int[] {256, 72, 101, 108, 108, 111}, new int[] {2, 4, 5}, new int[] {108, 111, 33}),
            new TrainingSequence(new int[] {256, 65, 66}, new int[] {1, 2}, new int[] {66, 67}));

    @TempDir
    Path tmp;

    @Test
    void llamaGradientsMatchFiniteDifferences() throws Exception {
        check(TinyCheckpoint.Spec.defaults("llama").withLayers(2).withSeed(3), "lm_head.weight");
    }

    @Test
    void qwen2WithBiasesAndTiedEmbeddingsMatchFiniteDifferences() throws Exception {
        check(TinyCheckpoint.Spec.defaults("qwen2").withLayers(2).withSeed(4).withTied(true),
                "model.layers.0.self_attn.q_proj.bias");
    }

    private void check(TinyCheckpoint.Spec spec, String extra) throws Exception {
        Path dir = tmp.resolve(spec.arch());
        TinyCheckpoint.write(spec, dir);
        List<String> names = List.of("model.embed_tokens.weight", "model.layers.0.input_layernorm.weight",
                "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
                "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.o_proj.weight",
                "model.layers.1.post_attention_layernorm.weight", "model.layers.1.mlp.gate_proj.weight",
                "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight", "model.norm.weight", extra);
        try (Model model = Model.load(dir); TrainableWeights weights = TrainableWeights.full(model, DataType.FLOAT64);
             NDManager scope = NDManager.newBaseManager()) {
            Map<String, NDArray> params = weights.trainable();
            try (GradientCollector c = Engine.getEngine("PyTorch").newGradientCollector()) {
                c.backward(Trainer.loss(model.withTensors(weights.forStep(scope), scope), scope, BATCH));
            }
            double h = 1e-6;
            for (String name : names) {
                NDArray p = params.get(name);
                double[] grad = p.getGradient().toDoubleArray();
                double[] values = p.toDoubleArray();
                // the entry with the largest gradient, and one in the middle (embedding rows of unused tokens are 0)
                int largest = 0;
                for (int i = 0; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[largest])) largest = i;
                for (int i : new int[] {largest, grad.length / 2}) {
                    double numeric = (loss(model, params, name, values, i, h) - loss(model, params, name, values, i, -h)) / (2 * h);
                    double err = Math.abs(numeric - grad[i]);
                    assertTrue(err <= 1e-6 + 1e-5 * Math.abs(numeric),
                            name + "[" + i + "]: autograd " + grad[i] + ", finite difference " + numeric);
                }
                assertTrue(Math.abs(grad[largest]) > 1e-4, name + " has no gradient");
            }
        }
    }

    private static double loss(Model model, Map<String, NDArray> params, String name, double[] values, int index, double delta) {
        try (NDManager scope = NDManager.newBaseManager()) {
            Map<String, NDArray> shifted = new LinkedHashMap<>(params);
            double[] v = values.clone();
            v[index] += delta;
            shifted.put(name, scope.create(v, params.get(name).getShape()));
            return Trainer.loss(model.withTensors(shifted, scope), scope, BATCH).getDouble();
        }
    }
}
