package tale.results;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;
import java.util.UUID;

/** The store on the machine's PostgreSQL (127.0.0.1:5432, database test) in a schema of its own, with an API token. */
public class PostgresProfile implements QuarkusTestProfile {

    public static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String SCHEMA = "it_results_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    public static final String TOKEN = "it-token";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("tale.db.url", URL, "tale.db.username", "postgres", "tale.db.schema", SCHEMA, "tale.api.token", TOKEN);
    }
}
