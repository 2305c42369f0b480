package tale.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tale.core.InputException;

/**
 * Writes a randomly initialised checkpoint in exactly the Hugging Face layout (config.json, safetensors,
 * tokenizer.json, tokenizer_config.json with a chat template, generation_config.json). The tokenizer is
 * byte-level BPE over the 256 bytes plus the family's special tokens, so any text encodes. Weights are
 * scaled so activations and logits are of order one, which makes numerical comparisons meaningful.
 */
public final class TinyCheckpoint {

    /** What to generate; {@link #defaults(String)} gives a small model of the family. */
    public record Spec(String arch, int layers, int hidden, int heads, int kvHeads, int headDim, int intermediate,
                       int vocab, long seed, TensorType dtype, int shards, boolean tied, boolean attentionBias,
                       boolean ropeScaling, int slidingWindow) {

        public static Spec defaults(String arch) {
            return new Spec(arch, 4, 64, 4, 2, 0, 128, 320, 0, TensorType.F32, 1, false, false,
                    arch.equals("llama"), 0);
        }

        public Spec withLayers(int n) {
            return new Spec(arch, n, hidden, heads, kvHeads, headDim, intermediate, vocab, seed, dtype, shards, tied,
                    attentionBias, ropeScaling, slidingWindow);
        }

        public Spec withDtype(TensorType t) {
            return new Spec(arch, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, seed, t, shards, tied,
                    attentionBias, ropeScaling, slidingWindow);
        }

        public Spec withShards(int k) {
            return new Spec(arch, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, seed, dtype, k, tied,
                    attentionBias, ropeScaling, slidingWindow);
        }

        public Spec withTied(boolean t) {
            return new Spec(arch, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, seed, dtype, shards, t,
                    attentionBias, ropeScaling, slidingWindow);
        }

        public Spec withSeed(long s) {
            return new Spec(arch, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, s, dtype, shards, tied,
                    attentionBias, ropeScaling, slidingWindow);
        }

        public Spec withAttentionBias(boolean b) {
            return new Spec(arch, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, seed, dtype, shards, tied,
                    b, ropeScaling, slidingWindow);
        }

        public Spec withSlidingWindow(int w) {
            return new Spec(arch, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, seed, dtype, shards, tied,
                    attentionBias, ropeScaling, w);
        }

        int effectiveHeadDim() {
            return headDim > 0 ? headDim : hidden / heads;
        }
    }

    /** Special tokens and chat template of each family, modelled on the real ones. */
    private record Family(String architecture, List<String> specials, String bos, String eos, List<String> stops,
                          String template) { }

    private static final String LLAMA3_TEMPLATE = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    private static final String CHATML_TEMPLATE = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private static final String MISTRAL_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' }}"
            + "{% if loop.index0 == 1 and messages[0]['role'] == 'system' %}{{ messages[0]['content'] + '\n\n' }}{% endif %}"
            + "{{ message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

    private static Family family(String arch) {
        return switch (arch) {
            case "llama" -> new Family("LlamaForCausalLM",
                    List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
                    "<|begin_of_text|>", "<|eot_id|>", List.of("<|end_of_text|>", "<|eot_id|>"), LLAMA3_TEMPLATE);
            case "qwen2" -> new Family("Qwen2ForCausalLM", List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"),
                    null, "<|im_end|>", List.of("<|im_end|>", "<|endoftext|>"), CHATML_TEMPLATE);
            case "mistral" -> new Family("MistralForCausalLM", List.of("<unk>", "<s>", "</s>", "[INST]", "[/INST]"),
                    "<s>", "</s>", List.of("</s>"), MISTRAL_TEMPLATE);
            default -> throw new InputException("unknown architecture \"" + arch + "\" (llama, qwen2, mistral)");
        };
    }

    private TinyCheckpoint() { }

    public static void write(Spec spec, Path out) throws IOException {
        Family fam = family(spec.arch());
        validate(spec, fam);
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        for (int i = 0; i < fam.specials().size(); i++) specialIds.put(fam.specials().get(i), 256 + i);

        json.writeValue(out.resolve("config.json").toFile(), config(json, spec, fam, specialIds));
        writeTensors(spec, out, json);
        json.writeValue(out.resolve("tokenizer.json").toFile(), tokenizer(json, specialIds));
        ObjectNode tokCfg = json.createObjectNode();
        if (fam.bos() != null) tokCfg.put("bos_token", fam.bos());
        tokCfg.put("eos_token", fam.eos());
        tokCfg.put("chat_template", fam.template());
        tokCfg.put("model_max_length", 4096);
        tokCfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        json.writeValue(out.resolve("tokenizer_config.json").toFile(), tokCfg);
        ObjectNode gen = json.createObjectNode();
        if (fam.bos() != null) gen.put("bos_token_id", specialIds.get(fam.bos()));
        ArrayNode eos = gen.putArray("eos_token_id");
        fam.stops().forEach(s -> eos.add(specialIds.get(s)));
        json.writeValue(out.resolve("generation_config.json").toFile(), gen);
    }

    private static void validate(Spec s, Family fam) {
        int minVocab = 256 + fam.specials().size();
        if (s.vocab() < minVocab) throw new InputException("--vocab must be at least " + minVocab + " (256 bytes + special tokens)");
        if (s.heads() % s.kvHeads() != 0) throw new InputException("--heads must be a multiple of --kv-heads");
        if (s.headDim() == 0 && s.hidden() % s.heads() != 0) throw new InputException("--hidden must be a multiple of --heads");
        if (s.effectiveHeadDim() % 2 != 0) throw new InputException("head dimension must be even");
        if (s.layers() < 1 || s.shards() < 1) throw new InputException("--layers and --shards must be positive");
    }

    private static ObjectNode config(ObjectMapper json, Spec s, Family fam, Map<String, Integer> ids) {
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add(fam.architecture());
        c.put("model_type", s.arch());
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.kvHeads());
        if (s.headDim() > 0) c.put("head_dim", s.headDim());
        c.put("vocab_size", s.vocab());
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", 4096);
        c.put("rms_norm_eps", s.arch().equals("llama") ? 1e-5 : 1e-6);
        c.put("rope_theta", s.arch().equals("llama") ? 500000.0 : s.arch().equals("qwen2") ? 1000000.0 : 10000.0);
        if (s.ropeScaling()) {
            ObjectNode r = c.putObject("rope_scaling");
            r.put("rope_type", "llama3");
            r.put("factor", 32.0);
            r.put("low_freq_factor", 1.0);
            r.put("high_freq_factor", 4.0);
            r.put("original_max_position_embeddings", 64);
        } else {
            c.putNull("rope_scaling");
        }
        c.put("tie_word_embeddings", s.tied());
        if (s.arch().equals("llama")) {
            c.put("attention_bias", s.attentionBias());
            c.put("mlp_bias", false);
        }
        if (s.slidingWindow() > 0) {
            c.put("sliding_window", s.slidingWindow());
            if (s.arch().equals("qwen2")) {
                c.put("use_sliding_window", true);
                c.put("max_window_layers", 0);
            }
        } else {
            c.putNull("sliding_window");
            if (s.arch().equals("qwen2")) c.put("use_sliding_window", false);
        }
        if (fam.bos() != null) c.put("bos_token_id", ids.get(fam.bos()));
        c.put("eos_token_id", ids.get(fam.eos()));
        c.put("torch_dtype", s.dtype() == TensorType.BF16 ? "bfloat16" : s.dtype() == TensorType.F16 ? "float16" : "float32");
        return c;
    }

    private static void writeTensors(Spec s, Path out, ObjectMapper json) throws IOException {
        SplittableRandom rnd = new SplittableRandom(s.seed());
        int h = s.hidden(), hd = s.effectiveHeadDim(), q = s.heads() * hd, kv = s.kvHeads() * hd, inter = s.intermediate();
        boolean qkvBias = s.arch().equals("qwen2") || s.attentionBias();
        boolean oBias = s.arch().equals("llama") && s.attentionBias();
        List<SafeTensorsWriter> shards = new ArrayList<>();
        for (int i = 0; i < s.shards(); i++) shards.add(new SafeTensorsWriter(Map.of("format", "pt")));
        // Each shard holds whole layers, in order, as Hugging Face's sharding does.
        int perShard = (s.layers() + s.shards() - 1) / s.shards();
        add(0, shards, s, "model.embed_tokens.weight", new long[] {s.vocab(), h}, gaussian(rnd, s.vocab() * h, 1.0));
        for (int l = 0; l < s.layers(); l++) {
            int shard = Math.min(s.shards() - 1, l / perShard);
            String p = "model.layers." + l + ".";
            add(shard, shards, s, p + "input_layernorm.weight", new long[] {h}, norm(rnd, h));
            add(shard, shards, s, p + "self_attn.q_proj.weight", new long[] {q, h}, gaussian(rnd, q * h, 1 / Math.sqrt(h)));
            if (qkvBias) add(shard, shards, s, p + "self_attn.q_proj.bias", new long[] {q}, gaussian(rnd, q, 0.1));
            add(shard, shards, s, p + "self_attn.k_proj.weight", new long[] {kv, h}, gaussian(rnd, kv * h, 1 / Math.sqrt(h)));
            if (qkvBias) add(shard, shards, s, p + "self_attn.k_proj.bias", new long[] {kv}, gaussian(rnd, kv, 0.1));
            add(shard, shards, s, p + "self_attn.v_proj.weight", new long[] {kv, h}, gaussian(rnd, kv * h, 1 / Math.sqrt(h)));
            if (qkvBias) add(shard, shards, s, p + "self_attn.v_proj.bias", new long[] {kv}, gaussian(rnd, kv, 0.1));
            add(shard, shards, s, p + "self_attn.o_proj.weight", new long[] {h, q}, gaussian(rnd, h * q, 1 / Math.sqrt(q)));
            if (oBias) add(shard, shards, s, p + "self_attn.o_proj.bias", new long[] {h}, gaussian(rnd, h, 0.1));
            add(shard, shards, s, p + "post_attention_layernorm.weight", new long[] {h}, norm(rnd, h));
            add(shard, shards, s, p + "mlp.gate_proj.weight", new long[] {inter, h}, gaussian(rnd, inter * h, 1 / Math.sqrt(h)));
            add(shard, shards, s, p + "mlp.up_proj.weight", new long[] {inter, h}, gaussian(rnd, inter * h, 1 / Math.sqrt(h)));
            add(shard, shards, s, p + "mlp.down_proj.weight", new long[] {h, inter}, gaussian(rnd, h * inter, 1 / Math.sqrt(inter)));
        }
        int last = s.shards() - 1;
        add(last, shards, s, "model.norm.weight", new long[] {h}, norm(rnd, h));
        if (!s.tied()) {
            add(last, shards, s, "lm_head.weight", new long[] {s.vocab(), h}, gaussian(rnd, s.vocab() * h, 1 / Math.sqrt(h)));
        }
        if (s.shards() == 1) {
            shards.get(0).write(out.resolve(Checkpoint.SINGLE_FILE));
            return;
        }
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", shards.stream().mapToLong(SafeTensorsWriter::byteSize).sum());
        ObjectNode map = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            shards.get(i).write(out.resolve(name));
            for (String t : shards.get(i).names()) map.put(t, name);
        }
        json.writeValue(out.resolve(Checkpoint.INDEX_FILE).toFile(), index);
    }

    private static void add(int shard, List<SafeTensorsWriter> shards, Spec s, String name, long[] shape,
                            float[] values) {
        shards.get(shard).addFloats(name, s.dtype(), shape, values);
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double std) {
        return Gaussian.floats(rnd, n, std);
    }

    private static float[] norm(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.1 * Gaussian.normal(rnd));
        return v;
    }

    /** A byte-level BPE tokenizer.json: one token per byte (GPT-2's byte-to-unicode alphabet), no merges. */
    private static ObjectNode tokenizer(ObjectMapper json, Map<String, Integer> specialIds) {
        ObjectNode t = tokenizerHead(json, specialIds);
        ObjectNode pre = t.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        t.putNull("post_processor");
        ObjectNode dec = t.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        char[] alphabet = byteAlphabet();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(alphabet[b]), b);
        model.putArray("merges");
        return t;
    }

    /**
     * The start of a tokenizer.json: version, no truncation or padding, the special tokens (content -> id) as
     * added tokens, no normalizer. The caller adds the pre-tokenizer, decoder and model.
     */
    public static ObjectNode tokenizerHead(ObjectMapper json, Map<String, Integer> specialIds) {
        ObjectNode t = json.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ArrayNode added = t.putArray("added_tokens");
        specialIds.forEach((content, id) -> {
            ObjectNode a = added.addObject();
            a.put("id", id);
            a.put("content", content);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        });
        t.putNull("normalizer");
        return t;
    }

    /** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to code points from 256. */
    static char[] byteAlphabet() {
        char[] map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) (256 + n++);
        }
        return map;
    }
}
