package tale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.ReferenceForward;
import tale.core.model.TinyCheckpoint;
import tale.core.text.Tokenizer;

/** `tale make-tiny` and `tale logits` as a user runs them: output contract, exit codes, messages. */
class LogitsCommandTest {

    @TempDir
    static Path tmp;
    static Path model;

    record Run(int status, String out, String err) { }

    static Run tale(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Tale.run(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void makeTiny() {
        model = tmp.resolve("tiny-qwen2");
        Run r = tale("make-tiny", "--arch", "qwen2", "--layers", "3", "--tied", "--dtype", "bf16", "--shards", "2",
                "--out", model.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(model.resolve("model.safetensors.index.json")));
    }

    @Test
    void logitsPrintsOneRowPerPositionMatchingTheReference() throws Exception {
        Run r = tale("logits", "--model", model.toString(), "--tokens", "256,10,20,30", "--drop", "1");
        assertEquals(0, r.status(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out()).get("logits");
        double[][] expected = ReferenceForward.load(model).logits(new int[] {256, 10, 20, 30}, Set.of(1));
        assertEquals(4, rows.size());
        for (int t = 0; t < 4; t++) {
            assertEquals(expected[t].length, rows.get(t).size());
            for (int v = 0; v < expected[t].length; v++) assertEquals(expected[t][v], rows.get(t).get(v).asDouble(), 1e-4);
        }
    }

    @Test
    void textIsTokenizedWithoutSpecialTokens() throws Exception {
        String text = "<|im_start|>Héllo wörld";
        int[] ids;
        try (Tokenizer tok = Tokenizer.load(model)) {
            ids = tok.encode(text);
        }
        assertEquals(257, ids[0], "special token inside text is one token");
        Run viaText = tale("logits", "--model", model.toString(), "--text", text);
        Run viaIds = tale("logits", "--model", model.toString(), "--tokens",
                java.util.Arrays.stream(ids).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")));
        assertEquals(0, viaText.status(), viaText.err());
        assertEquals(viaIds.out(), viaText.out());
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        assertBad(tale("logits", "--model", tmp.resolve("nowhere").toString(), "--tokens", "1"), "nowhere: not a directory");
        assertBad(tale("logits", "--model", model.toString(), "--tokens", "1,99999"), "token id 99999 is outside the vocabulary");
        assertBad(tale("logits", "--model", model.toString(), "--tokens", "1", "--drop", "3"), "layer 3 is out of range");
        assertBad(tale("logits", "--model", model.toString(), "--tokens", "1,a"), "--tokens \"1,a\" is not a comma-separated list");
        assertBad(tale("logits", "--model", model.toString()), "Error: Missing required argument");
        assertBad(tale("make-tiny", "--arch", "gpt2", "--out", tmp.resolve("x").toString()), "unknown architecture \"gpt2\"");
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("config.json"), "{nope");
        assertBad(tale("logits", "--model", broken.toString(), "--tokens", "1"), broken.resolve("config.json") + ": malformed JSON");
    }

    private static void assertBad(Run r, String expected) {
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(expected), "stderr was: " + r.err());
        assertEquals("", r.out());
        String firstLine = r.err().lines().findFirst().orElse("");
        assertTrue(firstLine.contains(expected) || r.err().lines().count() <= 3, "stderr was: " + r.err());
    }
}
