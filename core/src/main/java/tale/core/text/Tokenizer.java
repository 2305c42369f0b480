package tale.core.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import tale.core.InputException;
import tale.core.model.Djl;

/**
 * A Hugging Face {@code tokenizer.json}, run by the Rust tokenizers library through DJL. Special tokens
 * are never added implicitly: prompts carry them through the chat template, as
 * {@code apply_chat_template(tokenize=True)} does. Truncation is off (DJL's default cuts at 512).
 */
public final class Tokenizer implements AutoCloseable {

    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final Path file;
    private final HuggingFaceTokenizer hf;

    private Tokenizer(Path file, HuggingFaceTokenizer hf) {
        this.file = file;
        this.hf = hf;
    }

    /** Loads {@code tokenizer.json} from a model directory, or the given file. */
    public static Tokenizer load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("tokenizer.json") : dirOrFile;
        if (!Files.exists(file)) throw new InputException(file + ": missing");
        Djl.init();
        try {
            return new Tokenizer(file, HuggingFaceTokenizer.newInstance(file, OPTIONS));
        } catch (IOException | RuntimeException e) {
            throw new InputException(file + ": not a valid tokenizer.json (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    public static Optional<Tokenizer> loadIfPresent(Path dir) {
        return Files.exists(dir.resolve("tokenizer.json")) ? Optional.of(load(dir)) : Optional.empty();
    }

    public int[] encode(String text) {
        Encoding enc = hf.encode(text, false, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
        return out;
    }

    public String decode(int[] ids) {
        return decode(ids, false);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return hf.decode(l, skipSpecialTokens);
    }

    /** A decoder for ids generated one at a time, which never splits a multi-byte character. */
    public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
        return new StreamDecoder(this, skipSpecialTokens);
    }

    /** The id of a piece that encodes to exactly one token (a special token, a label letter). */
    public OptionalInt tokenId(String piece) {
        int[] ids = encode(piece);
        return ids.length == 1 ? OptionalInt.of(ids[0]) : OptionalInt.empty();
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        hf.close();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
