package tale.core.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Text of token ids that arrive one at a time, as a streaming server sends them. Decoding each id alone breaks
 * characters whose UTF-8 bytes span several byte-level tokens (an emoji is often two to four), giving U+FFFD.
 * This decodes a short window of recent ids twice, without and with the new ones, and emits the difference only
 * once it ends in a complete character (the method of Hugging Face's text-generation-inference). The window
 * keeps one token of context before the new text, so decoders that treat the first token specially (a
 * SentencePiece leading space) give the same text as decoding everything. Not thread-safe: one per stream.
 */
public final class StreamDecoder {

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private final List<Integer> ids = new ArrayList<>();
    private int prefixOffset; // start of the context window
    private int readOffset;   // ids before this have been emitted

    StreamDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** The text the id completes: empty while a character is still incomplete. */
    public String next(int id) {
        ids.add(id);
        String before = decode(prefixOffset, readOffset);
        String after = decode(prefixOffset, ids.size());
        if (after.length() <= before.length() || after.endsWith("\uFFFD")) return "";
        prefixOffset = readOffset;
        readOffset = ids.size();
        return after.substring(before.length());
    }

    /** Whatever is held back at the end of the stream (an incomplete character decodes to U+FFFD). */
    public String flush() {
        String before = decode(prefixOffset, readOffset);
        String after = decode(prefixOffset, ids.size());
        prefixOffset = readOffset = ids.size();
        return after.length() > before.length() ? after.substring(before.length()) : "";
    }

    private String decode(int from, int to) {
        int[] window = new int[to - from];
        for (int i = from; i < to; i++) window[i - from] = ids.get(i);
        return tokenizer.decode(window, skipSpecialTokens);
    }
}
