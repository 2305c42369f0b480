package tale.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import tale.core.InputException;
import tale.core.model.Gaussian;
import tale.core.model.Model;

/**
 * What a training run changes, kept apart from the model's loaded (often read-only, memory-mapped) arrays.
 * <ul>
 * <li>{@link #full}: a trainable copy of every tensor; the forward runs on the copies.
 * <li>{@link #lora}: low-rank adapters {@code W + (alpha/r) B A} on the attention and MLP projections
 *     (A random, B zero, so training starts from the model as it is); the model's own arrays stay frozen
 *     and are only read. {@link #merged} folds the adapters into the weights for saving.
 * </ul>
 */
public final class TrainableWeights implements AutoCloseable {

    static final Pattern PROJECTION = Pattern.compile(
            "^model\\.layers\\.\\d+\\.(self_attn\\.(q|k|v|o)_proj|mlp\\.(gate|up|down)_proj)\\.weight$");

    private final NDManager manager;
    private final Map<String, NDArray> base;       // full: the trainable copies; LoRA: the model's frozen arrays
    private final Map<String, NDArray[]> adapters; // weight name -> {A [r, in], B [out, r]}
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final float loraScale;

    private TrainableWeights(NDManager manager, Map<String, NDArray> base, Map<String, NDArray[]> adapters, float loraScale) {
        this.manager = manager;
        this.base = base;
        this.adapters = adapters;
        this.loraScale = loraScale;
        if (adapters.isEmpty()) {
            trainable.putAll(base);
        } else {
            adapters.forEach((name, ab) -> {
                trainable.put(name + ".lora_A", ab[0]);
                trainable.put(name + ".lora_B", ab[1]);
            });
        }
        trainable.values().forEach(a -> a.setRequiresGradient(true));
    }

    /** Every tensor of {@code model} copied to a trainable array of {@code type} (f32 for training, f64 for checks). */
    public static TrainableWeights full(Model model, DataType type) {
        NDManager manager = NDManager.newBaseManager();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        model.tensors().forEach((name, t) -> {
            NDArray copy = t.duplicate(); // a fresh array: the loaded one may sit on the read-only mapped file
            if (copy.getDataType() != type) {
                NDArray typed = copy.toType(type, false);
                copy.close();
                copy = typed;
            }
            copy.attach(manager);
            copies.put(name, copy);
        });
        return new TrainableWeights(manager, copies, Map.of(), 0f);
    }

    /** Rank-{@code rank} adapters on every projection of {@code model}, initialised from {@code seed}. */
    public static TrainableWeights lora(Model model, int rank, float alpha, long seed) {
        if (rank < 1) throw new InputException("--lora-rank must be at least 1, got " + rank);
        NDManager manager = NDManager.newBaseManager();
        Map<String, NDArray> frozen = model.tensors();
        Map<String, NDArray[]> adapters = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(seed);
        frozen.forEach((name, w) -> {
            if (!PROJECTION.matcher(name).matches()) return;
            long out = w.getShape().get(0), in = w.getShape().get(1);
            float[] a = new float[(int) (rank * in)];
            double std = 1 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) a[i] = (float) (std * Gaussian.normal(random));
            adapters.put(name, new NDArray[] {manager.create(a, new Shape(rank, in)),
                    manager.zeros(new Shape(out, rank), DataType.FLOAT32)});
        });
        return new TrainableWeights(manager, frozen, adapters, alpha / rank);
    }

    /** The arrays the optimizer updates, by name. */
    public Map<String, NDArray> trainable() {
        return trainable;
    }

    public long trainableCount() {
        return trainable.values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * The tensors the forward runs on for one step; adapter products are built in {@code step} (on the
     * autograd graph) and freed with it.
     */
    public Map<String, NDArray> forStep(NDManager step) {
        if (adapters.isEmpty()) return base;
        Map<String, NDArray> m = new LinkedHashMap<>(base);
        NDArray scale = step.create(loraScale); // an array, not a float: autograd must not see a freed scalar
        adapters.forEach((name, ab) -> m.put(name, scale.mul(ab[1]).matMul(ab[0]).add(base.get(name))));
        return m;
    }

    /** Every tensor as saved: the trained copies, or the frozen weights with the adapters merged in. */
    public Map<String, NDArray> merged(NDManager scope) {
        return forStep(scope);
    }

    @Override
    public void close() {
        manager.close();
    }
}
