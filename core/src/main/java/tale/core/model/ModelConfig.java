package tale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a decoder checkpoint, mapped from Hugging Face {@code config.json} keys.
 * Llama, Mistral and Qwen2 share this shape; families differ only in the flags below
 * (Qwen2: q/k/v biases; Llama: optional q/k/v/o and MLP biases; Mistral/Qwen2: sliding windows).
 */
public record ModelConfig(
        String architecture,
        int hiddenSize,            // hidden_size: H
        int intermediateSize,      // intermediate_size: I
        int numLayers,             // num_hidden_layers: L
        int numHeads,              // num_attention_heads
        int numKvHeads,            // num_key_value_heads (grouped-query attention when < numHeads)
        int headDim,               // head_dim, default H / numHeads
        int vocabSize,             // vocab_size: V
        double rmsNormEps,         // rms_norm_eps
        Rope rope,
        boolean tieWordEmbeddings, // tie_word_embeddings: lm_head shares model.embed_tokens
        boolean qkvBias,           // biases on q, k, v projections
        boolean oBias,             // bias on o projection
        boolean mlpBias,           // biases on gate, up, down projections
        int maxPositionEmbeddings,
        int[] slidingWindowPerLayer, // 0 = full attention; otherwise keys within this many positions
        List<Integer> eosTokenIds,
        Integer bosTokenId) {

    public static final List<String> SUPPORTED_ARCHITECTURES =
            List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM");

    /** Rotary position embedding: inverse frequencies per pair of dimensions, after any scaling. */
    public record Rope(double theta, String type, double factor, double lowFreqFactor, double highFreqFactor,
                       int originalMaxPositionEmbeddings) {

        /** inv_freq[i] for i in [0, headDim/2), as Hugging Face's rope init functions compute it. */
        public double[] inverseFrequencies(int headDim) {
            int half = headDim / 2;
            double[] inv = new double[half];
            for (int i = 0; i < half; i++) {
                inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            }
            switch (type) {
                case "default" -> { }
                case "linear" -> {
                    for (int i = 0; i < half; i++) inv[i] /= factor;
                }
                case "llama3" -> {
                    double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
                    double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
                    for (int i = 0; i < half; i++) {
                        double wavelen = 2 * Math.PI / inv[i];
                        if (wavelen > lowFreqWavelen) {
                            inv[i] = inv[i] / factor;
                        } else if (wavelen >= highFreqWavelen) {
                            double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor)
                                    / (highFreqFactor - lowFreqFactor);
                            inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                        }
                    }
                }
                default -> throw new IllegalStateException("unsupported rope type " + type);
            }
            return inv;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    public boolean isQwen2() {
        return architecture.equals("Qwen2ForCausalLM");
    }

    /** Reads and validates {@code dir/config.json}; every problem names the file. */
    public static ModelConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw CheckpointException.at(file, "missing (not a Hugging Face model directory?)");
        } catch (IOException e) {
            throw CheckpointException.at(file, "malformed JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw CheckpointException.at(file, "malformed: expected a JSON object");
        }
        return fromJson(root, file);
    }

    static ModelConfig fromJson(JsonNode root, Path file) {
        Reader r = new Reader(root, file);
        JsonNode archs = root.get("architectures");
        if (archs == null || !archs.isArray() || archs.isEmpty()) {
            throw CheckpointException.at(file, "missing \"architectures\"");
        }
        String arch = archs.get(0).asText();
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw CheckpointException.at(file, "unknown architecture \"" + arch + "\" (supported: "
                    + String.join(", ", SUPPORTED_ARCHITECTURES) + ")");
        }
        String act = r.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw CheckpointException.at(file, "unsupported hidden_act \"" + act + "\" (only silu)");
        }
        int hidden = r.positiveInt("hidden_size");
        int heads = r.positiveInt("num_attention_heads");
        int kvHeads = root.hasNonNull("num_key_value_heads") ? r.positiveInt("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw CheckpointException.at(file, "num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        int headDim = root.hasNonNull("head_dim") ? r.positiveInt("head_dim") : hidden / heads;
        if (headDim % 2 != 0) {
            throw CheckpointException.at(file, "head_dim " + headDim + " must be even for rotary embeddings");
        }
        int layers = r.positiveInt("num_hidden_layers");
        boolean qwen2 = arch.equals("Qwen2ForCausalLM");
        boolean attentionBias = r.bool("attention_bias", false);
        int maxPos = root.hasNonNull("max_position_embeddings") ? r.positiveInt("max_position_embeddings") : 4096;

        int[] windows = new int[layers];
        if (arch.equals("MistralForCausalLM") && root.hasNonNull("sliding_window")) {
            java.util.Arrays.fill(windows, r.positiveInt("sliding_window"));
        }
        if (qwen2 && r.bool("use_sliding_window", false) && root.hasNonNull("sliding_window")) {
            int window = r.positiveInt("sliding_window");
            int fullLayers = root.hasNonNull("max_window_layers") ? root.get("max_window_layers").asInt() : layers;
            for (int i = fullLayers; i < layers; i++) windows[i] = window;
        }

        return new ModelConfig(arch, hidden, r.positiveInt("intermediate_size"), layers, heads, kvHeads, headDim,
                r.positiveInt("vocab_size"), r.number("rms_norm_eps", 1e-6), readRope(root, r, file),
                r.bool("tie_word_embeddings", false), qwen2 || attentionBias, !qwen2 && attentionBias,
                !qwen2 && r.bool("mlp_bias", false), maxPos, windows, tokenIds(root.get("eos_token_id")),
                root.hasNonNull("bos_token_id") ? root.get("bos_token_id").asInt() : null);
    }

    /** Rope settings live in {@code rope_scaling} (+ {@code rope_theta}) or, in newer files, {@code rope_parameters}. */
    private static Rope readRope(JsonNode root, Reader r, Path file) {
        JsonNode params = root.get("rope_parameters");
        JsonNode scaling = root.get("rope_scaling");
        JsonNode source = params != null && params.isObject() ? params : scaling;
        double theta = r.number("rope_theta", 10000.0);
        if (source != null && source.hasNonNull("rope_theta")) {
            theta = source.get("rope_theta").asDouble();
        }
        if (source == null || source.isNull()) {
            return new Rope(theta, "default", 1, 1, 1, 0);
        }
        String type = source.hasNonNull("rope_type") ? source.get("rope_type").asText()
                : source.hasNonNull("type") ? source.get("type").asText() : "default";
        double factor = source.path("factor").asDouble(1.0);
        return switch (type) {
            case "default" -> new Rope(theta, "default", 1, 1, 1, 0);
            case "linear" -> new Rope(theta, "linear", factor, 1, 1, 0);
            case "llama3" -> {
                for (String key : List.of("factor", "low_freq_factor", "high_freq_factor",
                        "original_max_position_embeddings")) {
                    if (!source.hasNonNull(key)) {
                        throw CheckpointException.at(file, "rope scaling of type llama3 lacks \"" + key + "\"");
                    }
                }
                yield new Rope(theta, "llama3", factor, source.get("low_freq_factor").asDouble(),
                        source.get("high_freq_factor").asDouble(),
                        source.get("original_max_position_embeddings").asInt());
            }
            default -> throw CheckpointException.at(file, "unsupported rope type \"" + type
                    + "\" (supported: default, linear, llama3)");
        };
    }

    private static List<Integer> tokenIds(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node == null || node.isNull()) return ids;
        if (node.isArray()) node.forEach(n -> ids.add(n.asInt()));
        else ids.add(node.asInt());
        return ids;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Typed access to config keys; a missing or ill-typed key is an error naming the file and the key. */
    private record Reader(JsonNode root, Path file) {
        int positiveInt(String key) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) throw CheckpointException.at(file, "missing \"" + key + "\"");
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
                throw CheckpointException.at(file, "\"" + key + "\" must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        double number(String key, double fallback) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return fallback;
            if (!n.isNumber()) throw CheckpointException.at(file, "\"" + key + "\" must be a number, got " + n);
            return n.asDouble();
        }

        boolean bool(String key, boolean fallback) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) return fallback;
            if (!n.isBoolean()) throw CheckpointException.at(file, "\"" + key + "\" must be true or false, got " + n);
            return n.asBoolean();
        }

        String string(String key, String fallback) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? fallback : n.asText();
        }
    }
}
