package tale.core.text;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The shared, read-only data directory (real tokenizer files that must not be copied into the repository):
 * {@code -Dtale.shared=DIR} or {@code TALE_SHARED=DIR}, else the first {@code shared/} beside this checkout or
 * one of its parents that holds {@code data/tokenizers} (/work/shared on the project's machines).
 */
final class SharedData {

    private SharedData() { }

    static Optional<Path> dir() {
        String configured = System.getProperty("tale.shared", System.getenv("TALE_SHARED"));
        if (configured != null) return Optional.of(Path.of(configured)).filter(SharedData::holdsData);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (holdsData(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** A path under the shared directory; the calling test is skipped (with the reason) when it is absent. */
    static Path require(String relative) {
        Optional<Path> dir = dir();
        assumeTrue(dir.isPresent() && Files.exists(dir.get().resolve(relative)),
                "shared data " + relative + " not found (set TALE_SHARED=DIR): test skipped");
        return dir.get().resolve(relative);
    }

    private static boolean holdsData(Path p) {
        return Files.isDirectory(p.resolve("data/tokenizers"));
    }
}
