package tale.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tale.core.model.TinyCheckpoint;

/** A real tiny checkpoint and a small multiple-choice task file, as the tests evaluate them. */
public final class Fixtures {

    public static final int LAYERS = 4;

    private Fixtures() { }

    public static void tinyModel(Path dir) throws IOException {
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(LAYERS).withSeed(5), dir);
    }

    /** Rows of the generic multiple-choice task "mc": sums with three choices. */
    public static byte[] sums(int rows) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            lines.add("{\"query\": \"What is " + i + " plus 2?\", \"choices\": [\"" + (i + 2) + "\", \"" + (i + 3)
                    + "\", \"" + (i + 1) + "\"], \"gold\": 0}");
        }
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
