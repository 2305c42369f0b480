package tale.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tale.core.InputException;

/**
 * A model's chat template (Jinja2 source from {@code chat_template.jinja} or {@code tokenizer_config.json}),
 * rendered byte for byte as Hugging Face's {@code tokenizer.apply_chat_template(messages,
 * add_generation_prompt=...)} renders it. Message content is data: template code inside it is never evaluated.
 *
 * <p>The template sees what transformers passes: {@code messages} (maps with {@code role} and {@code content}),
 * {@code add_generation_prompt}, the tokenizer's special tokens ({@code bos_token}, {@code eos_token}, ...,
 * {@code additional_special_tokens}) and any extra variables ({@code enable_thinking}, {@code tools},
 * {@code date_string}), which override special tokens of the same name.
 */
public final class ChatTemplate {

    /** The named special tokens transformers puts in {@code special_tokens_map} when they are set. */
    private static final List<String> SPECIAL_TOKENS =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private static final Jinjava JINJAVA = PythonJinja.create(); // thread-safe: each render gets its own interpreter

    private final String source;
    private final Map<String, Object> specialTokens;
    private final String origin;
    private volatile JinjaSource.Translated translated; // on first render: a model loads even if its template is bad

    public ChatTemplate(String source, Map<String, Object> specialTokens) {
        this(source, specialTokens, "chat template");
    }

    private ChatTemplate(String source, Map<String, Object> specialTokens, String origin) {
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        this.origin = origin;
    }

    /**
     * The template translated for Jinjava, checked as Jinja2 checks when compiling (syntax, known filters and
     * tests). Like transformers, which compiles on the first apply_chat_template, problems surface at the first
     * render, so that a model whose template is unusable still loads for work without chat.
     */
    private JinjaSource.Translated translated() {
        JinjaSource.Translated t = translated;
        if (t != null) return t;
        try {
            t = JinjaSource.translate(source);
        } catch (JinjaSource.SyntaxError e) {
            throw new InputException(origin + " line " + e.line + ": syntax error: " + e.getMessage());
        }
        for (String filter : t.filters()) {
            if (JINJAVA.getGlobalContext().getFilter(filter) == null) throw new InputException(origin + ": no filter named '" + filter + "'");
        }
        for (String test : t.tests()) {
            if (JINJAVA.getGlobalContext().getExpTest(test) == null) throw new InputException(origin + ": no test named '" + test + "'");
        }
        translated = t;
        return t;
    }

    /**
     * The template of a model directory, when it has one: {@code chat_template.jinja} if present (what
     * transformers saves since 4.43), else {@code chat_template} of {@code tokenizer_config.json}, either a string
     * or a list of named templates of which the one named "default" is used.
     */
    public static Optional<ChatTemplate> loadIfPresent(Path dir) {
        Path configFile = dir.resolve("tokenizer_config.json");
        Path jinjaFile = dir.resolve("chat_template.jinja");
        JsonNode config = Files.exists(configFile) ? readJson(configFile) : null;
        Map<String, Object> tokens = config == null ? Map.of() : specialTokens(config, configFile);
        try {
            if (Files.exists(jinjaFile)) return Optional.of(new ChatTemplate(Files.readString(jinjaFile), tokens, jinjaFile.toString()));
        } catch (IOException e) {
            throw new InputException(jinjaFile + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (config == null || !config.hasNonNull("chat_template")) return Optional.empty();
        JsonNode t = config.get("chat_template");
        String where = configFile + " chat_template";
        if (t.isTextual()) return Optional.of(new ChatTemplate(t.asText(), tokens, where));
        if (!t.isArray()) throw new InputException(where + ": expected a string or a list of {name, template}");
        List<String> names = new ArrayList<>();
        for (JsonNode named : t) {
            if (!named.path("name").isTextual() || !named.path("template").isTextual()) {
                throw new InputException(where + ": every entry needs a string \"name\" and \"template\"");
            }
            names.add(named.get("name").asText());
            if (named.get("name").asText().equals("default")) {
                return Optional.of(new ChatTemplate(named.get("template").asText(), tokens, where + "[default]"));
            }
        }
        throw new InputException(where + ": several templates " + names + " and none named \"default\"");
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InputException(file + ": malformed JSON (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    /** transformers' {@code special_tokens_map}: set tokens as strings (an AddedToken object gives its content). */
    private static Map<String, Object> specialTokens(JsonNode config, Path file) {
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKENS) {
            String token = tokenText(config.get(key));
            if (token != null) tokens.put(key, token);
        }
        JsonNode extra = config.get("additional_special_tokens");
        if (extra != null && extra.isArray() && !extra.isEmpty()) {
            List<String> list = new ArrayList<>();
            for (JsonNode n : extra) {
                String token = tokenText(n);
                if (token == null) throw new InputException(file + ": additional_special_tokens holds a non-token " + n);
                list.add(token);
            }
            tokens.put("additional_special_tokens", List.copyOf(list));
        }
        return tokens;
    }

    private static String tokenText(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isObject()) return n.path("content").isTextual() ? n.get("content").asText() : null;
        return n.isTextual() ? n.asText() : null;
    }

    public String source() {
        return source;
    }

    /** The special tokens the template sees ({@code bos_token}, ...). */
    public Map<String, Object> specialTokens() {
        return specialTokens;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders with extra template variables, as {@code apply_chat_template(..., **kwargs)}: e.g.
     * {@code enable_thinking=false} for Qwen3, {@code tools} (a list of JSON-schema maps), {@code date_string}.
     * Values are plain Java data: String, Number, Boolean, null, List and Map.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        for (String reserved : List.of("messages", "add_generation_prompt")) {
            if (variables.containsKey(reserved)) throw new IllegalArgumentException(reserved + " is not an extra variable");
        }
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        context.putAll(variables);
        List<Map<String, Object>> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>(); // maps: Jinjava renders records' fields as empty
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        JinjaSource.Translated template = translated();
        RenderResult result = JINJAVA.renderForResult(template.jinjava(), context);
        for (TemplateError error : result.getErrors()) {
            // Unknown properties are warnings (Jinja2's undefined values); syntax errors of any severity are not.
            if (error.getSeverity() == TemplateError.ErrorType.FATAL || error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR) {
                throw failure(error, template);
            }
        }
        return result.getOutput();
    }

    private InputException failure(TemplateError error, JinjaSource.Translated template) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof PythonJinja.Raised raised) {
                return new InputException(origin + " refused the conversation: " + firstLine(raised.getMessage()));
            }
        }
        String where = error.getLineno() > 0 ? " line " + template.sourceLine(error.getLineno()) : "";
        String message = firstLine(error.getMessage());
        Throwable cause = error.getException();
        while (cause != null && cause.getCause() != null) cause = cause.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(firstLine(cause.getMessage()))) {
            message = firstLine(cause.getMessage()); // the innermost reason: "slice step cannot be zero"
        }
        String field = error.getFieldName();
        if (field != null && !field.isBlank() && !message.contains(field)) message += " ('" + field.strip() + "')";
        return new InputException(origin + where + ": " + message);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
