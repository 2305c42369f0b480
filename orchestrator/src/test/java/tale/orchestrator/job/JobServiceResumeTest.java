package tale.orchestrator.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.search.SearchResult;
import tale.core.search.SearchRunner;
import tale.messages.UnitResult;
import tale.messages.WorkUnit;
import tale.orchestrator.Fixtures;
import tale.orchestrator.TestWorker;
import tale.orchestrator.config.OrchestratorConfig;
import tale.orchestrator.dataset.DatasetStore;
import tale.orchestrator.messaging.Publisher;
import tale.orchestrator.persistence.JobStore;

/**
 * The job logic without a broker: units go to a capturing channel, results are fed back by hand from a worker
 * scoring with core's LocalEvaluator. An orchestrator "restarted" mid-job (a new service over the same embedded
 * database) restores the search state, publishes the pending units again and finishes with the in-process result;
 * duplicates and late answers change nothing.
 */
class JobServiceResumeTest {

    @TempDir static Path tmp;
    static Fixtures fixtures;
    static TestWorker worker;
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    /** One orchestrator process: its service and what it published. */
    record Orchestrator(JobService service, CapturingEmitter units, CapturingEmitter jobs, JobStore store) {

        static Orchestrator start(OrchestratorConfig config) {
            CapturingEmitter units = new CapturingEmitter(), jobs = new CapturingEmitter();
            Publisher publisher = new Publisher(JSON, units, jobs, new CapturingEmitter());
            JobStore store = new JobStore(Fixtures.embeddedDatabase(), config);
            DatasetStore datasets = new DatasetStore(config);
            JobService service = new JobService(new JobPreparer(config, datasets), store, publisher,
                    new JobEventHub(publisher), config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            service.resumeAll();
            return new Orchestrator(service, units, jobs, store);
        }

        List<WorkUnit> takeUnits() throws Exception {
            List<WorkUnit> out = new ArrayList<>();
            for (String s : List.copyOf(units.sent)) out.add(JSON.readValue(s, WorkUnit.class));
            units.sent.clear();
            return out;
        }
    }

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
    void aRestartedOrchestratorResumesAndFinishesWithTheInProcessResult() throws Exception {
        OrchestratorConfig config = fixtures.config(4, Duration.ofMinutes(10), 3);
        Orchestrator first = Orchestrator.start(config);
        JobView submitted = first.service().submit(Fixtures.spec());
        assertEquals("queued", submitted.state());
        String id = submitted.id();

        // The first orchestrator gets the baseline and some of the first round, then dies.
        int answered = 0;
        List<WorkUnit> units = first.takeUnits();
        while (answered < 5) {
            WorkUnit unit = units.remove(0);
            UnitResult result = worker.answer(unit);
            first.service().onResult(result);
            first.service().onResult(result); // a duplicate changes nothing
            answered++;
            units.addAll(first.takeUnits());
        }
        JobView before = first.service().get(id).orElseThrow();
        assertEquals("running", before.state());
        first.store().close();

        Orchestrator second = Orchestrator.start(config);
        JobView resumed = second.service().get(id).orElseThrow();
        assertEquals("running", resumed.state());
        assertEquals(before.step(), resumed.step());
        assertEquals(before.done(), resumed.done(), "scores accepted before the restart are kept");
        List<WorkUnit> reissued = second.takeUnits();
        assertEquals(units.size(), reissued.size(), "every unit still pending is published again");
        assertTrue(reissued.stream().allMatch(u -> u.attempt() == 2), "re-issued units carry the next attempt");

        // A late answer of the first orchestrator's attempt is as good as the new one; the new one is then a duplicate.
        List<WorkUnit> queue = new ArrayList<>(units);
        queue.addAll(reissued);
        while (!queue.isEmpty()) {
            second.service().onResult(worker.answer(queue.remove(0)));
            queue.addAll(second.takeUnits());
        }
        JobView done = second.service().get(id).orElseThrow();
        assertEquals("succeeded", done.state(), String.valueOf(done.error()));

        PreparedJob prepared = new JobPreparer(config, new DatasetStore(config)).prepare(Fixtures.spec());
        SearchResult reference = SearchRunner.run(prepared.config().withShardSize(0),
                worker.evaluator(Fixtures.spec()), new SearchRunner.Listener() { });
        assertSameSearch(reference, done.summary());
        second.store().close();
    }

    /** Best, BSBA, Final (removed layers and measures) and every round's candidates as the reference reports them. */
    static void assertSameSearch(SearchResult reference, Map<String, Object> summary) {
        Map<String, Object> expected = JSON.convertValue(tale.core.search.SearchReport.summary(reference, Map.of(),
                new tale.core.search.SearchReport.Cost(0, 0)), Map.class);
        for (String key : List.of("floor", "stopReason", "baseline", "best", "bsba", "final", "chain", "rounds")) {
            assertEquals(expected.get(key), summary.get(key), key);
        }
    }
}
