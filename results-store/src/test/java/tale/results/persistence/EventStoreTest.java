package tale.results.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tale.messages.JobEvent;
import tale.messages.JobEvent.RoundResult;
import tale.messages.UnitResult;
import tale.results.FinishedJob;

/**
 * Writes a finished job's events into real PostgreSQL (127.0.0.1:5432, database test, a fresh schema per test) and
 * into the embedded H2 file database, delivered twice and out of order, and reads them back.
 */
class EventStoreTest {

    static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private Database db;
    private String schema;
    private Path dataDir;

    private EventStore open(String kind) throws Exception {
        schema = "test_results_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        dataDir = Files.createTempDirectory("tale-results-test");
        Optional<String> url = kind.equals("postgresql") ? Optional.of(POSTGRES_URL) : Optional.empty();
        db = Database.open(new Database.Settings(url, Optional.of("postgres"), Optional.empty(), schema, dataDir, 2));
        return new EventStore(db, FinishedJob.JSON);
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (db != null) db.close();
        if (db != null && db.toString().startsWith("PostgreSQL")) {
            try (Connection c = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA \"" + schema + "\" CASCADE");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void keepsEveryEventOnceWhateverTheDeliveries(String kind) throws Exception {
        EventStore store = open(kind);
        ResultsQueries queries = new ResultsQueries(db, FinishedJob.JSON);
        List<JobEvent> events = FinishedJob.jobEvents("job-1", Instant.parse("2026-01-01T10:00:00Z"));
        List<UnitResult> units = FinishedJob.unitResults("job-1");
        for (int delivery = 0; delivery < 2; delivery++) {
            for (JobEvent e : events) store.record(e);
            for (UnitResult u : units) store.record(u);
            store.record(FinishedJob.selection("job-1", Instant.parse("2026-01-01T10:00:20Z")));
        }
        // A redelivered early progress event arrives after the job succeeded: the state must not go back.
        store.record(events.get(1));

        JobRecord job = queries.job("job-1").orElseThrow();
        assertEquals("succeeded", job.state());
        assertEquals("tiny-llama", job.model());
        assertEquals("boolq", job.task());
        assertEquals(FinishedJob.LAYERS, job.numLayers());
        assertEquals(FinishedJob.FLOOR, job.floor());
        assertEquals(Instant.parse("2026-01-01T10:00:00Z"), job.submittedAt());
        assertEquals(events.get(events.size() - 1).timestamp(), job.updatedAt());
        assertNotNull(job.summaryJson());
        assertTrue(job.specJson().contains("\"deploy\":\"bsba\""), job.specJson());

        assertEquals(FinishedJob.ROUNDS, queries.rounds("job-1"));
        List<WorkerUnits> workers = queries.workers("job-1");
        assertEquals(2, workers.size());
        int candidates = FinishedJob.ROUNDS.stream().mapToInt(r -> r.candidates().size()).sum();
        for (WorkerUnits w : workers) {
            assertEquals(FinishedJob.ROUNDS.size(), w.units(), w.toString());
            assertEquals(0, w.failed());
            assertEquals((long) candidates * FinishedJob.SEARCH_EXAMPLES / 2, w.scores());
        }
        assertEquals(1, queries.selections("job-1").size());
        assertEquals(List.of(2, 4), queries.selections("job-1").get(0).removedLayers());
        assertEquals(1, queries.jobs(Optional.empty(), 10).size());
        assertEquals(0, queries.jobs(Optional.of("running"), 10).size());
        assertEquals(1, queries.succeeded(Optional.of("tiny-llama"), Optional.of("boolq")).size());
        assertEquals(0, queries.succeeded(Optional.of("other"), Optional.empty()).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void fillsRoundsFromTheSummaryWhenOnlyTheLastEventArrived(String kind) throws Exception {
        EventStore store = open(kind);
        ResultsQueries queries = new ResultsQueries(db, FinishedJob.JSON);
        List<JobEvent> events = FinishedJob.jobEvents("job-2", Instant.parse("2026-01-01T10:00:00Z"));
        store.record(events.get(events.size() - 1));

        JobRecord job = queries.job("job-2").orElseThrow();
        assertEquals("succeeded", job.state());
        assertNull(job.submittedAt(), "the submitted event was never seen");
        assertNull(job.model());
        List<RoundResult> rounds = queries.rounds("job-2");
        assertEquals(FinishedJob.ROUNDS, rounds);

        // The submitted event arrives late (older): it fills the spec but leaves the state alone.
        store.record(events.get(0));
        job = queries.job("job-2").orElseThrow();
        assertEquals("succeeded", job.state());
        assertEquals("tiny-llama", job.model());
        assertEquals(Instant.parse("2026-01-01T10:00:00Z"), job.submittedAt());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void recordsAFailedUnitWithoutScores(String kind) throws Exception {
        EventStore store = open(kind);
        ResultsQueries queries = new ResultsQueries(db, FinishedJob.JSON);
        store.record(UnitResult.failed("job-3", "u1", 1, "worker-a", "model tiny-llama not found", 12));
        store.record(UnitResult.failed("job-3", "u1", 1, "worker-a", "model tiny-llama not found", 12));
        assertEquals(List.of(new WorkerUnits("worker-a", 1, 1, 0, 0, 12)), queries.workers("job-3"));
    }

    @org.junit.jupiter.api.Test
    void refusesANonPostgresqlUrlABadSchemaNameAndAnUnreachableDatabase() {
        Path dir = Path.of("target");
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class, () -> Database.open(new Database.Settings(
                Optional.of("jdbc:mysql://x/db"), Optional.empty(), Optional.empty(), "tale_results", dir, 1)));
        assertTrue(url.getMessage().contains("PostgreSQL"), url.getMessage());
        IllegalArgumentException schema = assertThrows(IllegalArgumentException.class, () -> new Database.Settings(
                Optional.empty(), Optional.empty(), Optional.empty(), "x\"; drop", dir, 1));
        assertTrue(schema.getMessage().contains("tale.db.schema"), schema.getMessage());
        IllegalStateException down = assertThrows(IllegalStateException.class, () -> Database.open(new Database.Settings(
                Optional.of("jdbc:postgresql://127.0.0.1:1/test?password=secret"), Optional.empty(), Optional.empty(),
                "tale_results", dir, 1)));
        assertTrue(down.getMessage().contains("127.0.0.1:1") && !down.getMessage().contains("secret"), down.getMessage());
    }

}
