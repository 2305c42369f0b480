package tale.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tale.core.model.Checkpoint;
import tale.core.model.Gaussian;
import tale.core.model.SafeTensorsWriter;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;
import tale.core.task.Task;
import tale.core.task.Tasks;

/**
 * A small Llama-architecture model made to be trained from scratch on boolean expressions: a word-level
 * tokenizer over exactly the words the {@code bbh_boolean_expressions} prompts use, a plain chat template,
 * and seeded random weights. {@link DemoTraining} trains it.
 */
public final class DemoModel {

    public static final String TASK = "bbh_boolean_expressions";
    static final String UNK = "<unk>";
    static final String END = "<|end|>";
    static final List<String> SPECIALS = List.of(UNK, "<|system|>", "<|user|>", "<|assistant|>", END);
    static final List<String> EXPRESSION_WORDS = List.of("True", "False", "not", "and", "or", "(", ")", "is");

    /** The chat template: each turn as "<|role|> content", the assistant's ended by <|end|>. */
    static final String TEMPLATE = "{% for message in messages %}{{ '<|' + message['role'] + '|> ' + message['content'] + ' ' }}"
            + "{% if message['role'] == 'assistant' %}{{ '<|end|> ' }}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

    /** What the Hugging Face Whitespace pre-tokenizer splits text into. */
    private static final Pattern WORD = Pattern.compile("\\w+|[^\\w\\s]+");

    /** Architecture of the demo model. */
    public record Shape(int layers, int hidden, int heads, int kvHeads, int intermediate) {
        public static Shape defaults() {
            return new Shape(8, 64, 4, 2, 192);
        }
    }

    private DemoModel() { }

    /** The vocabulary: special tokens, then every word of the task's system message and of the expressions. */
    static List<String> vocabulary() {
        Task task = Tasks.byName(TASK);
        Set<String> words = new LinkedHashSet<>(SPECIALS);
        words.addAll(EXPRESSION_WORDS);
        Matcher m = WORD.matcher(task.system());
        while (m.find()) words.add(m.group());
        return new ArrayList<>(words);
    }

    /** Writes config, tokenizer, template and seeded random weights (f32) to {@code out}. */
    public static void writeInitial(Shape shape, long seed, Path out) throws IOException {
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        List<String> vocab = vocabulary();
        int end = vocab.indexOf(END);
        json.writeValue(out.resolve("config.json").toFile(), config(json, shape, vocab.size(), end));
        json.writeValue(out.resolve("tokenizer.json").toFile(), tokenizer(json, vocab));
        ObjectNode tokCfg = json.createObjectNode();
        tokCfg.put("eos_token", END);
        tokCfg.put("unk_token", UNK);
        tokCfg.put("chat_template", TEMPLATE);
        tokCfg.put("model_max_length", 256);
        tokCfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        json.writeValue(out.resolve("tokenizer_config.json").toFile(), tokCfg);
        ObjectNode gen = json.createObjectNode();
        gen.putArray("eos_token_id").add(end);
        json.writeValue(out.resolve("generation_config.json").toFile(), gen);
        writeWeights(shape, vocab.size(), seed, out.resolve(Checkpoint.SINGLE_FILE));
    }

    private static ObjectNode config(ObjectMapper json, Shape s, int vocab, int end) {
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("vocab_size", vocab);
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", 256);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.putNull("rope_scaling");
        c.put("tie_word_embeddings", false);
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("eos_token_id", end);
        c.put("torch_dtype", "float32");
        return c;
    }

    /** Normal weights scaled by fan-in; the projections writing into the residual stream also by depth. */
    private static void writeWeights(Shape s, int vocab, long seed, Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        int h = s.hidden(), hd = h / s.heads(), q = s.heads() * hd, kv = s.kvHeads() * hd, inter = s.intermediate();
        double residual = 1 / Math.sqrt(2.0 * s.layers());
        SafeTensorsWriter w = new SafeTensorsWriter(Map.of("format", "pt"));
        add(w, "model.embed_tokens.weight", random, 1.0, vocab, h);
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            ones(w, p + "input_layernorm.weight", h);
            add(w, p + "self_attn.q_proj.weight", random, 1 / Math.sqrt(h), q, h);
            add(w, p + "self_attn.k_proj.weight", random, 1 / Math.sqrt(h), kv, h);
            add(w, p + "self_attn.v_proj.weight", random, 1 / Math.sqrt(h), kv, h);
            add(w, p + "self_attn.o_proj.weight", random, residual / Math.sqrt(q), h, q);
            ones(w, p + "post_attention_layernorm.weight", h);
            add(w, p + "mlp.gate_proj.weight", random, 1 / Math.sqrt(h), inter, h);
            add(w, p + "mlp.up_proj.weight", random, 1 / Math.sqrt(h), inter, h);
            add(w, p + "mlp.down_proj.weight", random, residual / Math.sqrt(inter), h, inter);
        }
        ones(w, "model.norm.weight", h);
        add(w, "lm_head.weight", random, 1 / Math.sqrt(h), vocab, h);
        w.write(file);
    }

    private static void add(SafeTensorsWriter w, String name, SplittableRandom random, double std, int rows, int cols) {
        w.addFloats(name, TensorType.F32, new long[] {rows, cols}, Gaussian.floats(random, rows * cols, std));
    }

    private static void ones(SafeTensorsWriter w, String name, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        w.addFloats(name, TensorType.F32, new long[] {n}, v);
    }

    /** A word-level tokenizer.json: the specials as added tokens, words split on whitespace and punctuation. */
    private static ObjectNode tokenizer(ObjectMapper json, List<String> vocab) {
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String special : SPECIALS) specials.put(special, vocab.indexOf(special));
        ObjectNode t = TinyCheckpoint.tokenizerHead(json, specials);
        t.putObject("pre_tokenizer").put("type", "Whitespace");
        t.putNull("post_processor");
        ObjectNode dec = t.putObject("decoder");
        dec.put("type", "WordPiece");
        dec.put("prefix", "##");
        dec.put("cleanup", false);
        ObjectNode model = t.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode ids = model.putObject("vocab");
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);
        model.put("unk_token", UNK);
        return t;
    }

    /** Whether {@code dir} holds a demo model trained with exactly {@code settings}. */
    static boolean trainedWith(Path dir, JsonNode settings) {
        Path file = dir.resolve(DemoTraining.RECORD);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(dir.resolve(Checkpoint.SINGLE_FILE))) return false;
        try {
            JsonNode record = new ObjectMapper().readTree(file.toFile());
            return record.has("trainSeconds") && settings.equals(record.get("settings"));
        } catch (IOException e) {
            return false;
        }
    }
}
