package tale.orchestrator.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tale.orchestrator.Fixtures;
import tale.orchestrator.config.OrchestratorConfig;

/**
 * The job rows on the machine's real PostgreSQL (127.0.0.1:5432, database test, a fresh schema per test, dropped
 * afterwards) and in the embedded H2 file under the data dir: inserted, replaced, listed oldest first, and found
 * again by a new store over the same database (an orchestrator restart).
 */
class JobStoreTest {

    static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    @TempDir Path dataDir;
    private String schema;

    @AfterEach
    void dropSchema() throws Exception {
        if (schema == null) return;
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    private JobStore open(String kind) {
        if (kind.equals("postgresql") && schema == null) {
            schema = "test_orchestrator_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        }
        Optional<String> url = kind.equals("postgresql") ? Optional.of(POSTGRES_URL) : Optional.empty();
        return new JobStore(Fixtures.database(url, schema == null ? "tale_orchestrator" : schema), config(dataDir));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void savesReplacesListsOldestFirstAndSurvivesARestart(String kind) {
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        StoredJob older = new StoredJob("job-b", "{\"model\":\"tiny\"}", "queued", 4, null, null, null, null, t0, t0);
        StoredJob newer = new StoredJob("job-a", "{\"model\":\"tiny\"}", "queued", 4, null, null, null, null,
                t0.plusSeconds(5), t0.plusSeconds(5));
        JobStore store = open(kind);
        store.save(newer);
        store.save(older);
        StoredJob running = new StoredJob("job-b", older.spec(), "running", 4, "{\"round\":1}", "{\"u1\":1}", null, null,
                t0, t0.plusSeconds(9));
        store.save(running);
        assertEquals(List.of(running, newer), store.all(), "one row per job, the latest save, oldest job first");
        store.close();

        JobStore restarted = open(kind);
        StoredJob failed = new StoredJob("job-a", newer.spec(), "failed", 4, null, null, null, "model tiny not found",
                newer.createdAt(), t0.plusSeconds(12));
        restarted.save(failed);
        assertEquals(List.of(running, failed), restarted.all());
        restarted.close();
        if (kind.equals("h2")) {
            assertTrue(Files.exists(dataDir.resolve("db/orchestrator.mv.db")), "the embedded file stays where it was");
        }
    }

    @Test
    void refusesASchemaNameThatIsNotAPlainLowerCaseIdentifier() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new JobStore(Fixtures.database(Optional.empty(), "jobs; drop"), config(dataDir)));
        assertTrue(e.getMessage().contains("tale.db.schema"), e.getMessage());
    }

    static OrchestratorConfig config(Path dataDir) {
        return new OrchestratorConfig() {
            @Override public Path dataDir() { return dataDir; }
            @Override public Optional<Path> dataRoot() { return Optional.empty(); }
            @Override public Optional<Path> modelRoot() { return Optional.empty(); }
            @Override public int partitions() { return 1; }
            @Override public int unitExamples() { return 4; }
            @Override public Duration unitTimeout() { return Duration.ofMinutes(1); }
            @Override public int maxAttempts() { return 1; }
        };
    }
}
