package tale.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tale.core.InputException;

/**
 * A model's chat template (Jinja2 source from {@code tokenizer_config.json} or {@code chat_template.jinja}),
 * rendered as Hugging Face's {@code apply_chat_template(messages, add_generation_prompt=...)} renders it.
 */
public final class ChatTemplate {

    private final String source;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinja;

    public ChatTemplate(String source, Map<String, Object> specialTokens) {
        this.source = source;
        this.specialTokens = Map.copyOf(specialTokens);
        this.jinja = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false) // message content must never be evaluated as template code
                .build());
    }

    /** The template of a model directory, when it has one. */
    public static Optional<ChatTemplate> loadIfPresent(Path dir) {
        Path configFile = dir.resolve("tokenizer_config.json");
        Path jinjaFile = dir.resolve("chat_template.jinja");
        try {
            JsonNode config = Files.exists(configFile) ? new ObjectMapper().readTree(Files.readString(configFile)) : null;
            Map<String, Object> tokens = new HashMap<>();
            if (config != null) {
                for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
                    JsonNode n = config.get(key);
                    if (n == null || n.isNull()) continue;
                    tokens.put(key, n.isObject() ? n.path("content").asText() : n.asText());
                }
            }
            String source = null;
            if (Files.exists(jinjaFile)) {
                source = Files.readString(jinjaFile);
            } else if (config != null && config.hasNonNull("chat_template")) {
                JsonNode t = config.get("chat_template");
                if (t.isTextual()) {
                    source = t.asText();
                } else if (t.isArray()) {
                    for (JsonNode named : t) {
                        if ("default".equals(named.path("name").asText())) source = named.path("template").asText();
                    }
                }
            }
            return source == null ? Optional.empty() : Optional.of(new ChatTemplate(source, tokens));
        } catch (IOException e) {
            throw new InputException(configFile + ": malformed JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    public String source() {
        return source;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        List<Map<String, Object>> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", m.role());
            turn.put("content", m.content());
            turns.add(turn);
        }
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        var result = jinja.renderForResult(source, context);
        if (!result.getErrors().isEmpty()) {
            throw new InputException("chat template failed: " + result.getErrors().get(0).getMessage());
        }
        return result.getOutput();
    }
}
