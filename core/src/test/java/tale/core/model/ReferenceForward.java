package tale.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * An independent reference: the decoder forward in plain Java double precision, one sequence at a time,
 * written straight from the Hugging Face modelling code (LlamaForCausalLM, MistralForCausalLM,
 * Qwen2ForCausalLM). It shares no code with the runtime under test: it parses config.json and the
 * safetensors files itself. Slow and simple on purpose.
 */
public final class ReferenceForward {

    private final JsonNode config;
    private final Map<String, double[]> tensors = new HashMap<>();
    private final int hidden, inter, layers, heads, kvHeads, headDim, vocab;
    private final double eps;
    private final double[] invFreq;
    private final int[] window;

    private ReferenceForward(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        config = json.readTree(dir.resolve("config.json").toFile());
        hidden = config.get("hidden_size").asInt();
        inter = config.get("intermediate_size").asInt();
        layers = config.get("num_hidden_layers").asInt();
        heads = config.get("num_attention_heads").asInt();
        kvHeads = config.path("num_key_value_heads").asInt(heads);
        headDim = config.hasNonNull("head_dim") ? config.get("head_dim").asInt() : hidden / heads;
        vocab = config.get("vocab_size").asInt();
        eps = config.get("rms_norm_eps").asDouble();
        invFreq = inverseFrequencies();
        window = new int[layers];
        String arch = config.get("architectures").get(0).asText();
        if (config.hasNonNull("sliding_window")) {
            int win = config.get("sliding_window").asInt();
            if (arch.equals("MistralForCausalLM")) java.util.Arrays.fill(window, win);
            if (arch.equals("Qwen2ForCausalLM") && config.path("use_sliding_window").asBoolean(false)) {
                for (int l = config.path("max_window_layers").asInt(layers); l < layers; l++) window[l] = win;
            }
        }
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            JsonNode map = json.readTree(index.toFile()).get("weight_map");
            java.util.Set<String> files = new java.util.TreeSet<>();
            map.elements().forEachRemaining(n -> files.add(n.asText()));
            for (String f : files) readSafetensors(dir.resolve(f), json);
        } else {
            readSafetensors(dir.resolve("model.safetensors"), json);
        }
    }

    public static ReferenceForward load(Path dir) {
        try {
            return new ReferenceForward(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int vocabSize() {
        return vocab;
    }

    private void readSafetensors(Path file, ObjectMapper json) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = (int) buf.getLong(0);
        JsonNode header = json.readTree(new String(all, 8, headerLen, java.nio.charset.StandardCharsets.UTF_8));
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) continue;
            String dtype = e.getValue().get("dtype").asText();
            int begin = 8 + headerLen + e.getValue().get("data_offsets").get(0).asInt();
            int end = 8 + headerLen + e.getValue().get("data_offsets").get(1).asInt();
            int size = dtype.equals("F32") ? 4 : 2;
            double[] values = new double[(end - begin) / size];
            for (int i = 0; i < values.length; i++) {
                int at = begin + i * size;
                values[i] = switch (dtype) {
                    case "F32" -> buf.getFloat(at);
                    case "BF16" -> Float.intBitsToFloat((buf.getShort(at) & 0xffff) << 16);
                    case "F16" -> halfToDouble(buf.getShort(at));
                    default -> throw new IllegalStateException(dtype);
                };
            }
            tensors.put(e.getKey(), values);
        }
    }

    private static double halfToDouble(short h) {
        int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
        double v = exp == 0 ? mant / 1024.0 * Math.pow(2, -14) : (1 + mant / 1024.0) * Math.pow(2, exp - 15);
        return sign == 1 ? -v : v;
    }

    /** HF's _compute_default_rope_parameters and _compute_llama3_parameters. */
    private double[] inverseFrequencies() {
        JsonNode scaling = config.hasNonNull("rope_parameters") ? config.get("rope_parameters") : config.get("rope_scaling");
        double base = config.path("rope_theta").asDouble(10000);
        if (scaling != null && scaling.hasNonNull("rope_theta")) base = scaling.get("rope_theta").asDouble();
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) inv[i] = 1.0 / Math.pow(base, 2.0 * i / headDim);
        String type = scaling == null || scaling.isNull() ? "default" : scaling.path("rope_type").asText(scaling.path("type").asText("default"));
        if (type.equals("llama3")) {
            double factor = scaling.get("factor").asDouble();
            double low = scaling.get("low_freq_factor").asDouble();
            double high = scaling.get("high_freq_factor").asDouble();
            double old = scaling.get("original_max_position_embeddings").asDouble();
            double lowWavelen = old / low, highWavelen = old / high;
            for (int i = 0; i < inv.length; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                double scaled = wavelen > lowWavelen ? inv[i] / factor : inv[i];
                double smooth = (old / wavelen - low) / (high - low);
                double smoothed = (1 - smooth) * scaled / factor + smooth * scaled;
                boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
                inv[i] = medium ? smoothed : scaled;
            }
        } else if (type.equals("linear")) {
            for (int i = 0; i < inv.length; i++) inv[i] /= scaling.get("factor").asDouble();
        }
        return inv;
    }

    /** Logits [T][V] for one sequence with the given layers removed. */
    public double[][] logits(int[] tokens, Set<Integer> dropped) {
        int t = tokens.length;
        double[][] x = new double[t][];
        double[] embed = tensors.get("model.embed_tokens.weight");
        for (int i = 0; i < t; i++) x[i] = java.util.Arrays.copyOfRange(embed, tokens[i] * hidden, (tokens[i] + 1) * hidden);
        for (int l = 0; l < layers; l++) {
            if (dropped.contains(l)) continue;
            x = layer(x, l);
        }
        double[] head = tensors.containsKey("lm_head.weight") ? tensors.get("lm_head.weight") : embed;
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) out[i] = matVec(head, vocab, hidden, rmsNorm(x[i], tensors.get("model.norm.weight")), null);
        return out;
    }

    private double[][] layer(double[][] x, int l) {
        String p = "model.layers." + l + ".";
        int t = x.length, g = heads / kvHeads;
        double[][] q = new double[t][], k = new double[t][], v = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] h = rmsNorm(x[i], tensors.get(p + "input_layernorm.weight"));
            q[i] = rope(matVec(tensors.get(p + "self_attn.q_proj.weight"), heads * headDim, hidden, h, tensors.get(p + "self_attn.q_proj.bias")), heads, i);
            k[i] = rope(matVec(tensors.get(p + "self_attn.k_proj.weight"), kvHeads * headDim, hidden, h, tensors.get(p + "self_attn.k_proj.bias")), kvHeads, i);
            v[i] = matVec(tensors.get(p + "self_attn.v_proj.weight"), kvHeads * headDim, hidden, h, tensors.get(p + "self_attn.v_proj.bias"));
        }
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) {
            double[] attn = new double[heads * headDim];
            for (int hh = 0; hh < heads; hh++) {
                int kvh = hh / g; // repeat_kv: query head hh reads key/value head hh / g
                double[] scores = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    if (window[l] > 0 && i - j >= window[l]) {
                        scores[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double s = 0;
                    for (int d = 0; d < headDim; d++) s += q[i][hh * headDim + d] * k[j][kvh * headDim + d];
                    scores[j] = s / Math.sqrt(headDim);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < headDim; d++) attn[hh * headDim + d] += scores[j] / sum * v[j][kvh * headDim + d];
                }
            }
            double[] o = matVec(tensors.get(p + "self_attn.o_proj.weight"), hidden, heads * headDim, attn, tensors.get(p + "self_attn.o_proj.bias"));
            double[] x1 = add(x[i], o);
            double[] h2 = rmsNorm(x1, tensors.get(p + "post_attention_layernorm.weight"));
            double[] gate = matVec(tensors.get(p + "mlp.gate_proj.weight"), inter, hidden, h2, tensors.get(p + "mlp.gate_proj.bias"));
            double[] up = matVec(tensors.get(p + "mlp.up_proj.weight"), inter, hidden, h2, tensors.get(p + "mlp.up_proj.bias"));
            double[] act = new double[inter];
            for (int j = 0; j < inter; j++) act[j] = gate[j] / (1 + Math.exp(-gate[j])) * up[j];
            out[i] = add(x1, matVec(tensors.get(p + "mlp.down_proj.weight"), hidden, inter, act, tensors.get(p + "mlp.down_proj.bias")));
        }
        return out;
    }

    /** rotate_half RoPE at position pos: pairs (i, i + hd/2). */
    private double[] rope(double[] vec, int n, int pos) {
        double[] out = vec.clone();
        int half = headDim / 2;
        for (int hh = 0; hh < n; hh++) {
            for (int i = 0; i < half; i++) {
                double c = Math.cos(pos * invFreq[i]), s = Math.sin(pos * invFreq[i]);
                double a = vec[hh * headDim + i], b = vec[hh * headDim + i + half];
                out[hh * headDim + i] = a * c - b * s;
                out[hh * headDim + i + half] = b * c + a * s;
            }
        }
        return out;
    }

    private double[] rmsNorm(double[] x, double[] weight) {
        double ss = 0;
        for (double d : x) ss += d * d;
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * scale * weight[i];
        return out;
    }

    /** W [rows, cols] (row-major, as torch stores Linear weights) times x, plus bias. */
    private static double[] matVec(double[] w, int rows, int cols, double[] x, double[] bias) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
            out[r] = s;
        }
        return out;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] + b[i];
        return out;
    }
}
