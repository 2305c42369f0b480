package tale.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tale.core.InputException;
import tale.core.model.TinyCheckpoint;

/**
 * Every rendering in {@code src/test/resources/chat/*.json} was produced by Python's jinja2 set up as Hugging
 * Face transformers sets it up ({@code tools/chat_fixtures.py}); ChatTemplate must give the same bytes, or
 * fail with the same error. Templates are the real Qwen3 one (read from the shared data directory, never
 * copied here), the three TinyCheckpoint writes (read from a checkpoint it writes), and small ones authored in
 * the script (Llama 3.1-style, ChatML, Zephyr-style, Gemma/Mistral/DeepSeek-style, one per Python/Jinja2
 * feature).
 */
class ChatTemplateFixturesTest {

    private static final List<String> FIXTURES = List.of("qwen3", "llama3", "chatml", "families", "tiny", "features");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ChatTemplate> TEMPLATES = new HashMap<>();
    private static final List<Path> TEMP_DIRS = new ArrayList<>();

    @TestFactory
    Stream<DynamicNode> rendersAsJinja2Does() {
        return FIXTURES.stream().map(name -> {
            JsonNode fixture = fixture(name);
            List<DynamicNode> templates = new ArrayList<>();
            for (JsonNode template : fixture.get("templates")) {
                List<DynamicNode> cases = new ArrayList<>();
                for (JsonNode c : template.get("cases")) {
                    cases.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(template, c)));
                }
                assertFalse(cases.isEmpty(), name + ": template without cases");
                templates.add(DynamicContainer.dynamicContainer(template.get("name").asText(), cases));
            }
            return DynamicContainer.dynamicContainer(name, templates);
        });
    }

    private static void check(JsonNode template, JsonNode c) {
        ChatTemplate chat = template(template);
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : c.get("messages")) messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        boolean addGenerationPrompt = c.get("add_generation_prompt").asBoolean();
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = JSON.convertValue(c.get("variables"), Map.class);
        if (c.has("expected")) {
            assertEquals(c.get("expected").asText(), chat.render(messages, addGenerationPrompt, variables));
        } else {
            InputException e = assertThrows(InputException.class, () -> chat.render(messages, addGenerationPrompt, variables));
            assertTrue(e.getMessage().contains(c.get("error").asText()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        }
    }

    /** The fixture's template, loaded the way production code loads it (cached across cases). */
    private static synchronized ChatTemplate template(JsonNode template) {
        String name = template.get("name").asText();
        ChatTemplate cached = TEMPLATES.get(name);
        if (cached != null) return cached;
        JsonNode source = template.get("source");
        @SuppressWarnings("unchecked")
        Map<String, Object> specialTokens = JSON.convertValue(template.get("special_tokens"), Map.class);
        ChatTemplate chat;
        if (source.has("tokenizer_config")) {
            Path dir = SharedData.require(source.get("tokenizer_config").asText());
            chat = ChatTemplate.loadIfPresent(dir).orElseThrow();
            assertEquals(source.get("sha256").asText(), sha256(chat.source()),
                    dir + ": chat template changed since the fixtures were made; rerun tools/chat_fixtures.py");
            assertEquals(specialTokens, chat.specialTokens(), "special tokens transformers would pass");
        } else if (source.has("tiny_checkpoint")) {
            chat = ChatTemplate.loadIfPresent(tinyCheckpoint(source.get("tiny_checkpoint").asText())).orElseThrow();
            assertEquals(source.get("text").asText(), chat.source(),
                    "TinyCheckpoint's template changed since the fixtures were made; rerun tools/chat_fixtures.py");
            assertEquals(specialTokens, chat.specialTokens());
        } else {
            chat = new ChatTemplate(source.get("text").asText(), specialTokens);
        }
        TEMPLATES.put(name, chat);
        return chat;
    }

    private static Path tinyCheckpoint(String family) {
        try {
            Path dir = Files.createTempDirectory("tale-chat-" + family);
            TEMP_DIRS.add(dir);
            TinyCheckpoint.write(TinyCheckpoint.Spec.defaults(family).withLayers(1), dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void deleteTempDirs() throws IOException {
        for (Path dir : TEMP_DIRS) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) Files.delete(p);
            }
        }
    }

    static JsonNode fixture(String name) {
        try (InputStream in = ChatTemplateFixturesTest.class.getResourceAsStream("/chat/" + name + ".json")) {
            if (in == null) throw new IllegalStateException("missing test resource chat/" + name + ".json");
            return JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
