package tale.modelserver.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.TinyCheckpoint;
import tale.core.text.ChatMessage;
import tale.core.text.Tokenizer;

class TextStreamTest {

    @TempDir Path dir;

    @Test
    void multiByteCharactersAreNeverSplitAndPiecesAddUpToTheWholeDecode() throws Exception {
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2"), dir);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            String text = "Grüße, € and 数字 🙂!";
            int[] ids = tokenizer.encode(text); // byte-level: one token per UTF-8 byte
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, ids.length);
            TextStream stream = new TextStream(tokenizer);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                String piece = stream.add(id);
                assertFalse(piece.contains("\uFFFD"), "piece " + piece);
                if (!piece.isEmpty()) pieces.add(piece);
            }
            pieces.add(stream.finish());
            assertEquals(text, String.join("", pieces));
            assertEquals(tokenizer.decode(ids), stream.text());
            assertEquals(List.of("G", "r", "ü", "ß", "e", ",", " ", "€", " ", "a", "n", "d", " ", "数", "字", " ", "🙂", "!", ""), pieces);
        }
    }

    @Test
    void anIncompleteCharacterAtTheEndIsFlushedAsTheWholeDecodeHasIt() throws Exception {
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2"), dir);
        try (Tokenizer tokenizer = Tokenizer.load(dir)) {
            int[] euro = tokenizer.encode("€"); // three bytes; stop after two
            TextStream stream = new TextStream(tokenizer);
            assertEquals("", stream.add(euro[0]));
            assertEquals("", stream.add(euro[1]));
            assertEquals(tokenizer.decode(new int[] {euro[0], euro[1]}), stream.finish());
        }
    }

    @Test
    void chatWithoutATemplateFallsBackToRoleLines() {
        assertEquals("system: Be brief.\nuser: Hi\nassistant:",
                Prompts.plain(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"))));
    }
}
