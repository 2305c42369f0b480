package tale.modelserver.text;

import java.util.Arrays;
import tale.core.text.Tokenizer;

/**
 * Turns generated tokens into text pieces as they arrive. Decoding tokens one at a time breaks characters
 * that span tokens, so the accumulated ids are decoded and the new suffix emitted, holding back while the
 * text ends in an incomplete character (U+FFFD). The pieces always concatenate to the decode of all tokens,
 * which is what a non-streaming response returns.
 */
public final class TextStream {

    private static final char INCOMPLETE = '\uFFFD';

    private final Tokenizer tokenizer;
    private int[] ids = new int[16];
    private int count;
    private String emitted = "";

    public TextStream(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token; returns the new text it completes (possibly empty). */
    public String add(int token) {
        if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
        ids[count++] = token;
        String text = tokenizer.decode(Arrays.copyOf(ids, count));
        if (text.isEmpty() || text.charAt(text.length() - 1) == INCOMPLETE) return "";
        return advanceTo(text);
    }

    /** The text not yet emitted, held back or not: call once after the last token. */
    public String finish() {
        return advanceTo(tokenizer.decode(Arrays.copyOf(ids, count)));
    }

    private String advanceTo(String text) {
        if (!text.startsWith(emitted)) {
            // The decoder rewrote earlier text; what was sent cannot be taken back.
            throw new IllegalStateException("decoded text is not an extension of the streamed text");
        }
        String piece = text.substring(emitted.length());
        emitted = text;
        return piece;
    }

    public String text() {
        return emitted;
    }
}
