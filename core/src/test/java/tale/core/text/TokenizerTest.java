package tale.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.TinyCheckpoint;

/**
 * The Qwen3 tokenizer through DJL's binding of the Rust tokenizers library gives the ids an independent
 * implementation gives (tokenizers.js; {@code tools/tokenizer_fixtures.mjs} wrote the expected ids), and
 * streaming decoding never splits a character.
 */
class TokenizerTest {

    private static final String QWEN3 = "data/tokenizers/qwen3";
    private static final String MULTI_BYTE = "Größe 你好，世界 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 ok";
    private static Tokenizer qwen3;

    private static synchronized Tokenizer qwen3() {
        if (qwen3 == null) qwen3 = Tokenizer.load(SharedData.require(QWEN3));
        return qwen3;
    }

    @AfterAll
    static void close() {
        if (qwen3 != null) qwen3.close();
    }

    @TestFactory
    Stream<DynamicTest> idsMatchTokenizersJs() throws IOException {
        JsonNode fixture;
        try (InputStream in = TokenizerTest.class.getResourceAsStream("/tokenizer/qwen3.json")) {
            fixture = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest("tokenizer.json unchanged since the fixture", () -> assertEquals(
                fixture.get("sha256").asText(),
                sha256(SharedData.require(QWEN3).resolve("tokenizer.json")),
                "rerun tools/tokenizer_fixtures.mjs")));
        for (JsonNode c : fixture.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                int[] expected = new int[c.get("ids").size()];
                for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).asInt();
                String text = c.get("text").asText();
                assertArrayEquals(expected, qwen3().encode(text), "ids of " + text);
                assertEquals(c.get("decoded").asText(), qwen3().decode(expected));
            }));
        }
        assertTrue(tests.size() > 20);
        return tests.stream();
    }

    @Test
    void addedTokensEncodeToTheirIds() throws IOException {
        Path file = SharedData.require(QWEN3).resolve("tokenizer.json");
        JsonNode added = new ObjectMapper().readTree(Files.readString(file)).get("added_tokens");
        assertEquals(26, added.size());
        for (JsonNode token : added) {
            assertEquals(OptionalInt.of(token.get("id").asInt()), qwen3().tokenId(token.get("content").asText()),
                    token.get("content").asText());
        }
        assertEquals(OptionalInt.empty(), qwen3().tokenId("Hello world"));
    }

    @Test
    void streamingDecodeOfQwen3NeverSplitsACharacter() {
        assertStreamsCleanly(qwen3(), MULTI_BYTE);
        assertStreamsCleanly(qwen3(), "<|im_start|>assistant\n<think>\n思考 🤔\n</think>\n\n答案<|im_end|>");
    }

    /** TinyCheckpoint's tokenizer has one token per byte: every non-ASCII character spans several tokens. */
    @Test
    void streamingDecodeOfByteTokensNeverSplitsACharacter(@TempDir Path dir) throws IOException {
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(1), dir);
        try (Tokenizer bytes = Tokenizer.load(dir)) {
            int[] ids = bytes.encode(MULTI_BYTE);
            assertEquals(MULTI_BYTE.getBytes(StandardCharsets.UTF_8).length, ids.length, "one token per byte");
            StringBuilder naive = new StringBuilder();
            for (int id : ids) naive.append(bytes.decode(new int[] {id}));
            assertNotEquals(MULTI_BYTE, naive.toString(), "decoding ids one by one breaks characters");
            assertStreamsCleanly(bytes, MULTI_BYTE);

            StreamDecoder stream = bytes.streamDecoder(false);
            int[] emoji = bytes.encode("a😀");
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < emoji.length - 1; i++) out.append(stream.next(emoji[i]));
            assertEquals("a", out.toString(), "an incomplete emoji is held back");
            assertTrue(stream.flush().endsWith("\uFFFD"), "and flushed as a replacement character at the end");
        }
    }

    private static void assertStreamsCleanly(Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text);
        StreamDecoder stream = tokenizer.streamDecoder(false);
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String piece = stream.next(id);
            assertFalse(piece.contains("\uFFFD"), "piece with a broken character: " + piece);
            out.append(piece);
        }
        out.append(stream.flush());
        assertEquals(text, out.toString());
        assertEquals(tokenizer.decode(ids), out.toString());
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
