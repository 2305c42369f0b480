package tale.worker.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.InputException;
import tale.worker.DatasetServer;
import tale.worker.DatasetServer.Dataset;

/** Datasets fetched over real HTTP from a stand-in orchestrator: verified by hash, kept, refused when wrong. */
class DatasetStoreTest {

    static final String TOKEN = "test-token";
    static final byte[] ROWS = "{\"query\": \"q\", \"choices\": [\"a\", \"b\"], \"gold\": 0}\n".getBytes(StandardCharsets.UTF_8);

    @TempDir Path cache;
    DatasetServer server;

    @BeforeEach
    void start() throws Exception {
        server = new DatasetServer(TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    DatasetStore store(String token) {
        return new DatasetStore(cache, server.url(), Optional.ofNullable(token), Duration.ofSeconds(10));
    }

    @Test
    void fetchesVerifiesAndReusesADataset() throws Exception {
        String id = DatasetStore.sha256Hex(ROWS);
        server.put(id, new Dataset(ROWS, "application/x-ndjson", "sums.jsonl"));
        Path file = store(TOKEN).file(id);
        assertEquals(cache.resolve(id).resolve("sums.jsonl"), file);
        assertArrayEquals(ROWS, Files.readAllBytes(file));
        assertEquals(1, server.requests());

        // A second store on the same cache (another job, a restarted worker) does not fetch again.
        assertEquals(file, store(TOKEN).file(id.toUpperCase()));
        assertEquals(1, server.requests());
    }

    @Test
    void contentThatDoesNotMatchItsIdIsRefusedAndNotKept() {
        String id = DatasetStore.sha256Hex("other content".getBytes(StandardCharsets.UTF_8));
        server.put(id, new Dataset(ROWS, "application/x-ndjson", null));
        InputException e = assertThrows(InputException.class, () -> store(TOKEN).file(id));
        assertTrue(e.getMessage().contains("SHA-256 " + DatasetStore.sha256Hex(ROWS)) && e.getMessage().contains(id),
                e.getMessage());
        assertFalse(Files.exists(cache.resolve(id)));
        assertTrue(store(TOKEN).cached(id).isEmpty());
    }

    @Test
    void theTokenIsSentAndARefusalIsNamed() {
        String id = DatasetStore.sha256Hex(ROWS);
        server.put(id, new Dataset(ROWS, "application/x-ndjson", null));
        InputException e = assertThrows(InputException.class, () -> store("wrong").file(id));
        assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("tale.api.token"), e.getMessage());
        assertThrows(InputException.class, () -> store(null).file(id));
    }

    @Test
    void unknownAndMalformedIdsAreNamed() {
        String unknown = DatasetStore.sha256Hex("nothing".getBytes(StandardCharsets.UTF_8));
        InputException e = assertThrows(InputException.class, () -> store(TOKEN).file(unknown));
        assertTrue(e.getMessage().contains("dataset " + unknown + " not found"), e.getMessage());
        InputException bad = assertThrows(InputException.class, () -> store(TOKEN).file("../../etc/passwd"));
        assertTrue(bad.getMessage().contains("not a SHA-256"), bad.getMessage());
        assertEquals(0, server.requests() - 1, "a malformed id never reaches the server");
    }

    @Test
    void withoutAFileNameTheContentTypeNamesTheFormat() throws Exception {
        byte[] csv = "question,a,b,c,d,answer\n".getBytes(StandardCharsets.UTF_8);
        String id = DatasetStore.sha256Hex(csv);
        server.put(id, new Dataset(csv, "text/csv", null));
        assertEquals("dataset.csv", store(TOKEN).file(id).getFileName().toString());
        // A name from the server cannot place the file elsewhere.
        byte[] other = "x".getBytes(StandardCharsets.UTF_8);
        String otherId = DatasetStore.sha256Hex(other);
        server.put(otherId, new Dataset(other, "application/json", "../../evil name.json"));
        assertEquals(cache.resolve(otherId).resolve("evil_name.json"), store(TOKEN).file(otherId));
        try (Stream<Path> left = Files.list(cache)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".partial-")), "no partial downloads left");
        }
    }
}
