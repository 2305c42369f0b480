package tale.orchestrator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What the integration tests run against: a real Kafka broker in this JVM, the PostgreSQL of the machine
 * (127.0.0.1:5432, database test) with a schema of this run's own (dropped afterwards), a tiny real checkpoint
 * under the model root and a task file under the data root. Units are small and time out quickly so that late
 * units are re-issued within the test.
 */
public class TestOrchestrator implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token";
    public static final String DB_URL = System.getProperty("tale.test.db.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String DB_USER = System.getProperty("tale.test.db.username", "postgres");
    public static final int UNIT_EXAMPLES = 4;
    public static final int MAX_ATTEMPTS = 4;
    public static final String UNIT_TIMEOUT = "4s";

    /** Where the fixtures are; set by {@link #start()} for the tests to read. */
    public static Fixtures fixtures;
    public static String bootstrap;
    public static String schema;
    private Path dir;
    private EmbeddedKafkaBroker kafka;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("tale-orchestrator-it");
            fixtures = new Fixtures(dir);
            kafka = new EmbeddedKafkaBroker().withKafkaHost("127.0.0.1").withDeleteLogDirsOnClose(true)
                    .withAdditionalProperties(p -> p.put("num.partitions", "4")).start();
            bootstrap = kafka.getAdvertisedListeners();
            schema = "tale_orchestrator_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            return Map.ofEntries(
                    Map.entry("kafka.bootstrap.servers", bootstrap),
                    Map.entry("tale.api.token", TOKEN),
                    Map.entry("tale.db.url", DB_URL),
                    Map.entry("tale.db.username", DB_USER),
                    Map.entry("tale.db.schema", schema),
                    Map.entry("tale.orchestrator.data-dir", fixtures.dataDir.toString()),
                    Map.entry("tale.orchestrator.data-root", fixtures.dataRoot.toString()),
                    Map.entry("tale.orchestrator.model-root", fixtures.modelRoot.toString()),
                    Map.entry("tale.orchestrator.partitions", "4"),
                    Map.entry("tale.orchestrator.unit-examples", String.valueOf(UNIT_EXAMPLES)),
                    Map.entry("tale.orchestrator.unit-timeout", UNIT_TIMEOUT),
                    Map.entry("tale.orchestrator.max-attempts", String.valueOf(MAX_ATTEMPTS)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) kafka.close();
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(DB_URL, DB_USER, null); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            } catch (SQLException e) {
                System.err.println("could not drop test schema " + schema + ": " + e.getMessage());
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind is harmless
            }
        }
    }
}
