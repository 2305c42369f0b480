package tale.results;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** The store as the demo runs it: no database URL, so an embedded H2 file in a fresh data directory; with a token. */
public class EmbeddedProfile implements QuarkusTestProfile {

    public static final String TOKEN = "dashboard-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.of("tale.results.data-dir", Files.createTempDirectory("tale-results-it").toString(),
                    "tale.api.token", TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
