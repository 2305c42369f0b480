package tale.worker;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tale.core.model.Model;
import tale.core.search.LocalEvaluator;
import tale.core.search.SearchInputs;
import tale.messages.ExampleScore;
import tale.messages.JobSpec;
import tale.messages.Topics;
import tale.messages.UnitResult;
import tale.messages.WorkUnit;
import tale.worker.evaluation.ExampleScores;
import tale.service.JobSearch;
import tale.worker.evaluation.UnitRequest;

/**
 * The worker in this JVM against a real broker, a real checkpoint and a real HTTP dataset endpoint: unit results
 * equal core's evaluator on the same inputs; units that cannot be evaluated are answered with their cause and
 * parked in the dead-letter topic while later units on the same partition are still processed.
 */
@QuarkusTest
@WithTestResource(value = WorkerTestResources.class, scope = TestResourceScope.MATCHING_RESOURCES)
class WorkUnitsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Integer> EVERY_CANDIDATE = List.of(-1, 0, 1, 2, 3);

    private KafkaCompanion kafka;

    @BeforeEach
    void setUp() {
        kafka = new KafkaCompanion(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    static JobSpec spec(String model, String task, String dataset, String data, String scoring) {
        return new JobSpec(model, task, dataset, data, 3L, null, null, null, scoring, null, 4, null, null, null, null,
                null, null, null, null, null);
    }

    static JobSpec datasetSpec(String scoring) {
        return spec(WorkerTestResources.MODEL, "mc", WorkerTestResources.DATASET, null, scoring);
    }

    private void publish(String key, String value) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.WORK_UNITS, key, value))
                .awaitCompletion(Duration.ofSeconds(30));
    }

    private void publish(WorkUnit unit) throws Exception {
        publish(unit.unitId(), JSON.writeValueAsString(unit));
    }

    /** The results of {@code jobs} on tale.scores, by job and unit id, once there are {@code count} of them. */
    private Map<String, ConsumerRecord<String, String>> results(Set<String> jobs, int count) throws Exception {
        ConsumerTask<String, String> task = kafka.consumeStrings().fromTopics(Topics.SCORES);
        try {
            long deadline = System.currentTimeMillis() + 180_000;
            while (true) {
                Map<String, ConsumerRecord<String, String>> mine = new LinkedHashMap<>();
                for (ConsumerRecord<String, String> r : task.getRecords()) {
                    UnitResult u = JSON.readValue(r.value(), UnitResult.class);
                    if (jobs.contains(u.jobId())) mine.put(u.jobId() + " " + u.unitId(), r);
                }
                if (mine.size() >= count) return mine;
                if (System.currentTimeMillis() > deadline) throw new AssertionError("only " + mine.keySet() + " answered");
                Thread.sleep(200);
            }
        } finally {
            task.stop();
        }
    }

    private static UnitResult result(ConsumerRecord<String, String> r) throws Exception {
        return JSON.readValue(r.value(), UnitResult.class);
    }

    /** What core's evaluator gives for {@code unit} in this JVM, on a model and task file of its own. */
    private static Map<Integer, List<ExampleScore>> expected(WorkUnit unit) throws Exception {
        Path file = Files.createTempFile("sums", ".jsonl");
        Files.write(file, Fixtures.sums(WorkerTestResources.ROWS));
        Path modelDir = Path.of(ConfigProvider.getConfig().getValue("tale.worker.model-root", String.class),
                unit.spec().model());
        try (Model model = Model.load(modelDir)) {
            SearchInputs inputs = JobSearch.inputs(unit.spec(), file);
            SearchInputs.Data data = inputs.load(JobSearch.objective(unit.spec()));
            LocalEvaluator core = new LocalEvaluator(model, inputs.scorer(model, data), data.splits(),
                    new LocalEvaluator.Options(true, 16, 8192));
            return ExampleScores.of(core.evaluate(UnitRequest.of(unit)));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void unitResultsEqualCoresEvaluatorOnTheSameInputs() throws Exception {
        List<WorkUnit> units = List.of(
                WorkUnit.of("job-equal", "search/r0/0-6", 1, datasetSpec("margin"), "search", 0, List.of(), EVERY_CANDIDATE, 0, 6),
                WorkUnit.of("job-equal", "search/r1/6-12", 1, datasetSpec("margin"), "search", 1, List.of(2), List.of(-1, 0, 1, 3), 6, 12),
                WorkUnit.of("job-equal-gen", "select/r0/0-3", 2, datasetSpec(null), "select", 0, List.of(1), List.of(-1), 0, 3),
                WorkUnit.of("job-equal-file", "search/r0/0-6", 1, spec(WorkerTestResources.MODEL, "mc", null, "sums.jsonl", "margin"),
                        "search", 0, List.of(), EVERY_CANDIDATE, 0, 6));
        for (WorkUnit u : units) publish(u);
        Map<String, List<UnitResult>> byJob = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : results(Set.of("job-equal", "job-equal-gen", "job-equal-file"), 4).values()) {
            UnitResult res = result(r);
            assertEquals(res.jobId(), r.key(), "results are keyed by job id");
            byJob.computeIfAbsent(res.jobId(), k -> new java.util.ArrayList<>()).add(res);
        }
        for (WorkUnit u : units) {
            UnitResult res = byJob.get(u.jobId()).stream().filter(x -> x.unitId().equals(u.unitId())).findFirst().orElseThrow();
            assertNull(res.error(), res.error());
            assertEquals(WorkerTestResources.WORKER, res.workerId());
            assertEquals(u.attempt(), res.attempt());
            assertEquals(expected(u), res.scores(), u.jobId() + " " + u.unitId());
            assertEquals(u.candidates().size(), res.scores().size());
            res.scores().values().forEach(s -> assertEquals(u.to() - u.from(), s.size()));
        }
        // Margin scoring gives margins; generate scoring on these labels gives none (null in the message).
        assertNotNull(byJob.get("job-equal").get(0).scores().get(-1).get(0).margin());
        // The same rows read from the data root score exactly as the fetched dataset does.
        UnitResult fromDataset = byJob.get("job-equal").stream().filter(x -> x.unitId().equals("search/r0/0-6")).findFirst().orElseThrow();
        assertEquals(fromDataset.scores(), byJob.get("job-equal-file").get(0).scores());
        // Candidates differ from each other (guards against a scoring that ignores the layers).
        assertTrue(fromDataset.scores().values().stream().map(s -> s.get(0).margin()).distinct().count() > 1);
    }

    @Test
    void unitsThatCannotBeEvaluatedAreAnsweredWithTheirCauseAndParked() throws Exception {
        publish(WorkUnit.of("job-missing-model", "search/r0/0-4", 1,
                spec("no-such-model", "mc", WorkerTestResources.DATASET, null, "margin"), "search", 0, List.of(), List.of(-1), 0, 4));
        publish(WorkUnit.of("job-unknown-task", "search/r0/0-4", 1,
                spec(WorkerTestResources.MODEL, "no-such-task", WorkerTestResources.DATASET, null, "margin"), "search", 0, List.of(), List.of(-1), 0, 4));
        publish("poison", "this is not JSON");
        publish(WorkUnit.of("job-escape", "search/r0/0-4", 1,
                spec("../data", "mc", WorkerTestResources.DATASET, null, "margin"), "search", 0, List.of(), List.of(-1), 0, 4));
        publish(WorkUnit.of("job-escape-data", "search/r0/0-4", 1,
                spec(WorkerTestResources.MODEL, "mc", null, "../outside.jsonl", "margin"), "search", 0, List.of(), List.of(-1), 0, 4));
        publish("invalid", "{\"schemaVersion\":1,\"jobId\":\"job-invalid\",\"unitId\":\"u-invalid\",\"attempt\":1}");
        publish(WorkUnit.of("job-after-failures", "search/r0/0-4", 1, datasetSpec("margin"), "search", 0, List.of(), List.of(-1, 0), 0, 4));

        Map<String, UnitResult> byJob = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : results(Set.of("job-missing-model", "job-unknown-task", "job-escape",
                "job-escape-data", "job-invalid", "job-after-failures"), 6).values()) {
            byJob.put(result(r).jobId(), result(r));
        }
        assertTrue(byJob.get("job-missing-model").error().contains("model \"no-such-model\" not found under the model root"),
                byJob.get("job-missing-model").error());
        assertTrue(byJob.get("job-unknown-task").error().contains("unknown task \"no-such-task\""), byJob.get("job-unknown-task").error());
        assertEquals("model \"../data\" is outside the model root", byJob.get("job-escape").error());
        assertEquals("data file \"../outside.jsonl\" is outside the data root", byJob.get("job-escape-data").error());
        assertEquals("invalid work unit: spec is missing", byJob.get("job-invalid").error());
        assertEquals("u-invalid", byJob.get("job-invalid").unitId());
        UnitResult after = byJob.get("job-after-failures");
        assertFalse(after.failed(), after.error());
        assertEquals(Set.of(-1, 0), after.scores().keySet());

        List<ConsumerRecord<String, String>> dead = kafka.consumeStrings()
                .fromTopics(Topics.deadLetter(Topics.WORK_UNITS), 6).awaitCompletion(Duration.ofSeconds(60)).getRecords();
        assertEquals(6, dead.size());
        assertTrue(dead.get(0).value().contains("job-missing-model"));
        assertTrue(reason(dead.get(0)).contains("no-such-model"), reason(dead.get(0)));
        assertTrue(dead.get(1).value().contains("job-unknown-task"));
        assertEquals("this is not JSON", dead.get(2).value());
        assertEquals("poison", dead.get(2).key());
        assertTrue(reason(dead.get(2)).contains("not JSON"), reason(dead.get(2)));
        assertTrue(dead.get(3).value().contains("job-escape"));
        assertTrue(dead.get(4).value().contains("job-escape-data"));
        assertTrue(dead.get(5).value().contains("job-invalid"));
    }

    private static String reason(ConsumerRecord<String, String> r) {
        var h = r.headers().lastHeader("dead-letter-reason");
        return h == null ? "(no dead-letter-reason header)" : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void readyAndCounted() throws Exception {
        publish(WorkUnit.of("job-metrics", "search/r0/0-2", 1, datasetSpec("margin"), "search", 0, List.of(), List.of(-1), 0, 2));
        results(Set.of("job-metrics"), 1);
        given().get("/q/health/ready").then().statusCode(200);
        String body = given().get("/q/health/ready").asString();
        assertTrue(body.contains("model-root"), body);
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tale_worker_units_total{") && l.contains("outcome=\"scored\"")
                && l.contains("worker=\"it-worker\"")), metrics.lines().filter(l -> l.contains("tale_worker")).toList().toString());
        assertTrue(metrics.contains("tale_worker_unit_seconds_count{"), "seconds per unit");
    }
}
