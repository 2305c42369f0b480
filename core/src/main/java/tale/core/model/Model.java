package tale.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tale.core.InputException;
import tale.core.text.ChatTemplate;
import tale.core.text.Tokenizer;

/**
 * A decoder-only transformer (Llama, Mistral, Qwen2) loaded from a Hugging Face checkpoint directory,
 * ready to run forwards under any layer mask. Weights are loaded once and never change; every forward
 * states which layers run. Thread-safe: each forward owns its {@link ForwardState}.
 */
public final class Model implements AutoCloseable {

    /** Arithmetic precision of the forward. f32 is the only fast one on CPU; f16 is for GPUs. */
    public enum Precision {
        F32(DataType.FLOAT32), F16(DataType.FLOAT16);

        final DataType dataType;

        Precision(DataType dataType) {
            this.dataType = dataType;
        }
    }

    /** How to load: precision and device ("cpu", "gpu", "gpu:1", or "auto" for a GPU when present). */
    public record Options(Precision precision, String device) {
        public static Options defaults() {
            return new Options(Precision.F32, "cpu");
        }
    }

    private final Path dir;
    private final ModelConfig config;
    private final Weights weights;
    private final double[] inverseFrequencies; // [hd/2]
    private final Tokenizer tokenizer;         // null when the directory has no tokenizer.json
    private final ChatTemplate chatTemplate;   // null when the tokenizer config has no template
    private final Set<Integer> stopTokens;
    private final boolean view;                // shares another model's tokenizer and does not own its weights

    private Model(Path dir, ModelConfig config, Weights weights, Tokenizer tokenizer, ChatTemplate chatTemplate,
                  Set<Integer> stopTokens, boolean view) {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
        this.inverseFrequencies = config.rope().inverseFrequencies(config.headDim());
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.stopTokens = stopTokens;
        this.view = view;
    }

    public static Model load(Path dir) {
        return load(dir, Options.defaults());
    }

    public static Model load(Path dir, Options options) {
        Djl.init();
        Device device = Djl.device(options.device());
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            Weights weights = new Weights(ckpt, options.precision().dataType, device);
            try {
                Tokenizer tokenizer = Tokenizer.loadIfPresent(dir).orElse(null);
                ChatTemplate template = ChatTemplate.loadIfPresent(dir).orElse(null);
                Set<Integer> stops = new LinkedHashSet<>(ckpt.config().eosTokenIds());
                stops.addAll(GenerationConfig.read(dir).eosTokenIds());
                return new Model(dir, ckpt.config(), weights, tokenizer, template, Set.copyOf(stops), false);
            } catch (RuntimeException e) {
                weights.close();
                throw e;
            }
        }
    }

    public Path dir() {
        return dir;
    }

    public ModelConfig config() {
        return config;
    }

    public int numLayers() {
        return config.numLayers();
    }

    public LayerMask fullMask() {
        return LayerMask.full(config.numLayers());
    }

    public Tokenizer tokenizer() {
        if (tokenizer == null) throw new InputException(dir + ": no tokenizer.json");
        return tokenizer;
    }

    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /** End-of-sequence ids from config.json and generation_config.json. */
    public Set<Integer> stopTokens() {
        return stopTokens;
    }

    /** Embeds the sequences (left-padded to a common length): the state entering layer 0. */
    public ForwardState start(List<int[]> sequences) {
        return ForwardState.start(this, sequences);
    }

    /** Logits at every position of one sequence: [T][V]. */
    public float[][] logits(int[] tokens, LayerMask mask) {
        int[] all = new int[tokens.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        return logitsAt(List.of(tokens), mask, List.of(all)).get(0);
    }

    /** Batched prefill returning logits only at the requested positions of each sequence. */
    public List<float[][]> logitsAt(List<int[]> sequences, LayerMask mask, List<int[]> positions) {
        checkMask(mask);
        try (ForwardState state = start(sequences)) {
            return state.runAll(mask).logitsAt(positions);
        }
    }

    /** Batched greedy generation with a KV cache. */
    public List<ForwardState.Generation> generate(List<int[]> prompts, LayerMask mask, int maxNewTokens,
                                                  Set<Integer> stops) {
        return generate(prompts, mask, maxNewTokens, stops, null);
    }

    /** Batched greedy generation telling {@code listener} of each token as it is produced (for streaming). */
    public List<ForwardState.Generation> generate(List<int[]> prompts, LayerMask mask, int maxNewTokens,
                                                  Set<Integer> stops, ForwardState.TokenListener listener) {
        checkMask(mask);
        try (ForwardState state = start(prompts)) {
            return state.runAll(mask).generate(maxNewTokens, stops, listener);
        }
    }

    private void checkMask(LayerMask mask) {
        if (mask.numLayers() != config.numLayers()) {
            throw new InputException("layer mask is for " + mask.numLayers() + " layers, the model has "
                    + config.numLayers());
        }
    }

    /**
     * Every weight by its Hugging Face tensor name, in the checkpoint's layout ({@code [out, in]} for linear
     * layers; no {@code lm_head.weight} when tied). These are the loaded arrays, often read-only file mappings:
     * copy them ({@code duplicate()}) before changing anything.
     */
    public Map<String, NDArray> tensors() {
        return weights.tensors();
    }

    /**
     * This model (config, tokenizer, template) running its forward on {@code tensors} instead of its own
     * weights: same names and shapes as {@link #tensors()}, any floating type (all the same). This is how
     * training runs the one forward on trainable arrays: operations on them are recorded by autograd.
     * Forwards of the view create their arrays under {@code manager}. Closing the view closes neither the
     * tensors nor this model.
     */
    public Model withTensors(Map<String, NDArray> tensors, NDManager manager) {
        return new Model(dir, config, new Weights(config, tensors, manager), tokenizer, chatTemplate, stopTokens, true);
    }

    Weights weights() {
        return weights;
    }

    /** Token embeddings [B, T, H] in {@code manager}. */
    NDArray embed(NDManager manager, long[] ids, Shape shape) {
        NDArray index = manager.create(ids);
        NDArray rows = weights.embed.get(new NDIndex("{}", index)); // [B*T, H], owned by the weights' manager
        rows.attach(manager);
        return rows.reshape(shape.get(0), shape.get(1), config.hiddenSize());
    }

    /** cos and sin tables [B, 1, T, hd] for the given positions, computed in double precision. */
    NDArray[] rope(NDManager manager, float[] positions, int batch, int length) {
        int hd = config.headDim(), half = hd / 2;
        float[] cos = new float[positions.length * hd];
        float[] sin = new float[positions.length * hd];
        for (int p = 0; p < positions.length; p++) {
            for (int i = 0; i < half; i++) {
                double angle = positions[p] * inverseFrequencies[i];
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                cos[p * hd + i] = c;
                cos[p * hd + i + half] = c;
                sin[p * hd + i] = s;
                sin[p * hd + i + half] = s;
            }
        }
        Shape shape = new Shape(batch, 1, length, hd);
        DataType type = weights.computeType();
        return new NDArray[] {manager.create(cos, shape).toType(type, false), manager.create(sin, shape).toType(type, false)};
    }

    @Override
    public void close() {
        if (view) return;
        weights.close();
        if (tokenizer != null) tokenizer.close();
    }
}
