package tale.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.cli.Tale;
import tale.core.search.SearchReport;
import tale.core.search.SearchResult;
import tale.core.search.SearchRunner;
import tale.messages.JobSpec;
import tale.orchestrator.Fixtures;
import tale.orchestrator.TestWorker;
import tale.orchestrator.dataset.DatasetStore;

/**
 * A job with every search option set gets the configuration {@code tale search} builds from the same options
 * (summary.json's "search" section: layers, epsilon, removals, objective, initial set, select split, racing,
 * split sizes), and searching with it gives {@code tale search}'s Best, BSBA, Final and rounds.
 */
class JobSearchMatchesTaleSearchTest {

    @TempDir static Path tmp;
    static Fixtures fixtures;
    static TestWorker worker;

    @BeforeAll
    static void setUp() throws Exception {
        fixtures = new Fixtures(tmp);
        worker = new TestWorker(fixtures.modelRoot.resolve(Fixtures.MODEL), spec -> fixtures.dataRoot.resolve(spec.data()));
    }

    @AfterAll
    static void tearDown() {
        worker.close();
    }

    @Test
    void everyOptionMapsAsTaleSearchMapsIt() throws Exception {
        JobSpec spec = new JobSpec(Fixtures.MODEL, "arc_easy", null, Fixtures.TASK_FILE, 5L, "0.5,0.3,0.2", null, 1,
                "loglik", null, null, 0.02, 2, "margin", List.of(3), "select", true, 4, 0.9, null);
        Path out = tmp.resolve("search");
        StringWriter err = new StringWriter();
        int status = Tale.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "search",
                "--model", fixtures.modelRoot.resolve(Fixtures.MODEL).toString(), "--task", "arc_easy",
                "--data", fixtures.dataRoot.resolve(Fixtures.TASK_FILE).toString(), "--split-seed", "5",
                "--fractions", "0.5,0.3,0.2", "--shots", "1", "--scoring", "loglik", "--epsilon", "0.02",
                "--max-removed", "2", "--objective", "margin", "--initial-removed", "3", "--select-on", "select",
                "--racing", "--race-shard", "4", "--race-confidence", "0.9", "--batch-size", "1", "--out", out.toString());
        assertEquals(0, status, err.toString());
        ObjectMapper json = new ObjectMapper();
        JsonNode reference = json.readTree(out.resolve("summary.json").toFile());

        PreparedJob job = new JobPreparer(fixtures.config(4, Duration.ofMinutes(1), 3),
                new DatasetStore(fixtures.config(4, Duration.ofMinutes(1), 3))).prepare(spec);
        SearchResult result = SearchRunner.run(job.config(), worker.evaluator(spec), new SearchRunner.Listener() { });
        JsonNode ours = json.valueToTree(SearchReport.summary(result, Map.of(), new SearchReport.Cost(0, 0)));
        for (String key : List.of("search", "floor", "stopReason", "baseline", "best", "bsba", "final", "chain", "rounds")) {
            assertEquals(reference.get(key), ours.get(key), key);
        }
    }
}
