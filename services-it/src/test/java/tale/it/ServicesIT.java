package tale.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tale.cli.cluster.LocalCluster;
import tale.cli.cluster.TaleClient;
import tale.messages.JobSpec;
import tale.messages.Topics;

/**
 * The acceptance criteria of the event-driven services, each service a separate process (tale.cli.cluster.LocalCluster)
 * on a real Kafka broker (deploy/kafka.sh, a broker of its own on free ports) and real PostgreSQL (a schema of its own),
 * searching a real tiny checkpoint. The first test's in-process search is the reference the later jobs must equal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesIT {

    static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);

    private Path dir;
    private String schema;
    private LocalCluster cluster;
    private TaleClient client;
    private Path model;
    private Path rows;
    private String dataset;
    private JsonNode reference;

    @BeforeAll
    void startCluster() throws Exception {
        dir = Files.createDirectories(Fixtures.repo().resolve("services-it/target/it-" + UUID.randomUUID().toString().substring(0, 8)));
        Path models = Files.createDirectories(dir.resolve("models"));
        model = Fixtures.tinyModel(models);
        Fixtures.brokenModel(models, model);
        rows = Fixtures.rows(dir);
        schema = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path dataRoot = Files.createDirectories(dir.resolve("data-root"));
        // Small units (many per round, so both workers get some) and a short unit timeout (a killed worker's unit is
        // re-issued soon); each service's tables in a schema of this test's own.
        Map<String, String> orchestrator = Map.of("TALE_DB_USERNAME", Fixtures.PG_USER, "TALE_DB_SCHEMA", schema + "_orchestrator",
                "TALE_ORCHESTRATOR_UNIT_EXAMPLES", "4", "TALE_ORCHESTRATOR_UNIT_TIMEOUT", "30s",
                "TALE_ORCHESTRATOR_DATA_ROOT", dataRoot.toString());
        Map<String, String> results = Map.of("TALE_DB_USERNAME", Fixtures.PG_USER, "TALE_DB_SCHEMA", schema + "_results");
        cluster = LocalCluster.start(LocalCluster.Options.of(Fixtures.repo(), dir.resolve("run"), 2,
                        LocalCluster.Ports.free(2, dir.resolve("kafka")), models).withDbUrl(Fixtures.PG_BASE)
                .withExtraEnv(Map.of("orchestrator", orchestrator, "results-store", results)));
        client = new TaleClient(cluster.orchestratorUrl(), cluster.apiToken());
        dataset = client.uploadDataset(rows, "application/x-ndjson");
        reference = Fixtures.localSummary(model, rows, Fixtures.job(dataset, Fixtures.MODEL, Fixtures.TASK));
    }

    @AfterAll
    void stopCluster() {
        List<ProcessHandle> started = cluster == null ? List.of() : cluster.processes();
        if (cluster != null) cluster.close();
        if (schema != null) Fixtures.dropSchemas(schema + "_orchestrator", schema + "_results");
        List<ProcessHandle> alive = started.stream().filter(ProcessHandle::isAlive).toList();
        assertTrue(alive.isEmpty(), "processes left running: " + alive);
    }

    private JsonNode runJob(JobSpec spec, Runnable whileRunning) {
        String id = client.submitAccepted(spec);
        whileRunning.run();
        return client.awaitTerminal(id, JOB_TIMEOUT);
    }

    private void assertSameAsReference(JsonNode job) {
        assertEquals("succeeded", job.path("state").asText(), () -> "job " + job + "\n" + cluster.logTails(20));
        List<String> diff = Fixtures.differences(reference, job.path("summary"));
        assertTrue(diff.isEmpty(), () -> "the job's summary differs from tale search's: " + diff);
    }

    @Test
    @Order(1)
    void aJobOverRestEqualsTaleSearchInOneProcessAndIsStored() throws Exception {
        JsonNode job = runJob(Fixtures.job(dataset, Fixtures.MODEL, Fixtures.TASK), () -> { });
        assertSameAsReference(job);
        String id = job.path("id").asText();
        assertTrue(reference.path("rounds").size() >= 2, "the reference search has rounds to compare: " + reference);
        // The results store keeps the job and its trajectory.
        JsonNode stored = eventually(() -> get(cluster.resultsStoreUrl() + "/api/jobs/" + id, true), 60);
        assertTrue(stored.toString().contains(id), stored::toString);
        JsonNode trajectory = eventually(() -> get(cluster.resultsStoreUrl() + "/api/jobs/" + id + "/trajectory", true), 60);
        assertTrue(trajectory.size() > 0 || trajectory.fields().hasNext(), trajectory::toString);
    }

    @Test
    @Order(2)
    void twoWorkersShareTheUnitsAndKillingOneMidJobChangesNothing() throws Exception {
        try (TopicReader scores = new TopicReader(cluster.kafkaBootstrap(), Topics.SCORES)) {
            String id = client.submitAccepted(Fixtures.job(dataset, Fixtures.MODEL, Fixtures.TASK));
            Supplier<Map<String, Long>> perWorker = () -> scores.entries().stream()
                    .filter(e -> e.json() != null && id.equals(e.json().path("jobId").asText()))
                    .collect(Collectors.groupingBy(e -> e.json().path("workerId").asText(), TreeMap::new, Collectors.counting()));
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            while (perWorker.get().size() < 2) {
                if (TaleClient.TERMINAL.contains(client.job(id).path("state").asText())) {
                    fail("the job ended before both workers answered a unit: " + perWorker.get());
                }
                if (System.nanoTime() > deadline) fail("both workers never answered: " + perWorker.get());
                Thread.sleep(100);
            }
            assertTrue(perWorker.get().keySet().containsAll(List.of("worker-1", "worker-2")), perWorker.get()::toString);
            assertTrue(!TaleClient.TERMINAL.contains(client.job(id).path("state").asText()), "the job is still running");
            cluster.killWorker(2);
            JsonNode job = client.awaitTerminal(id, JOB_TIMEOUT);
            assertSameAsReference(job);
            System.out.println("unit results per worker: " + perWorker.get());
        }
    }

    @Test
    @Order(3)
    void aRestartedOrchestratorResumesTheJob() throws Exception {
        String id = client.submitAccepted(Fixtures.job(dataset, Fixtures.MODEL, Fixtures.TASK));
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (client.job(id).path("round").asInt() < 1) {
            assertTrue(!TaleClient.TERMINAL.contains(client.job(id).path("state").asText()), "the job ended before round 1");
            assertTrue(System.nanoTime() < deadline, "the job never reached round 1");
            Thread.sleep(100);
        }
        cluster.restartOrchestrator();
        assertSameAsReference(client.awaitTerminal(id, JOB_TIMEOUT));
    }

    @Test
    @Order(4)
    void poisonMissingModelAndUnknownTaskFailClearlyWhileAnotherJobSucceeds() throws Exception {
        try (TopicReader dlq = new TopicReader(cluster.kafkaBootstrap(), Topics.deadLetter(Topics.WORK_UNITS))) {
            String poison = "poison " + UUID.randomUUID();
            TopicReader.send(cluster.kafkaBootstrap(), Topics.WORK_UNITS, "poison", poison);
            String good = client.submitAccepted(Fixtures.job(dataset, Fixtures.MODEL, Fixtures.TASK));
            // Refused at once (400) or failed by the workers: either way the reason names the culprit.
            assertFailsNaming(client.submit(Fixtures.job(dataset, "no-such-model", Fixtures.TASK)), "no-such-model");
            assertFailsNaming(client.submit(Fixtures.job(dataset, Fixtures.MODEL, "no_such_task")), "no_such_task");
            // A model the orchestrator can read (config.json) but no worker can load (no weights): the workers' error
            // results fail the job.
            String broken = client.submitAccepted(Fixtures.job(dataset, Fixtures.BROKEN_MODEL, Fixtures.TASK));
            JsonNode brokenJob = client.awaitTerminal(broken, JOB_TIMEOUT);
            assertEquals("failed", brokenJob.path("state").asText(), brokenJob::toString);
            assertTrue(brokenJob.path("error").asText().contains(Fixtures.BROKEN_MODEL), brokenJob::toString);
            assertSameAsReference(client.awaitTerminal(good, JOB_TIMEOUT));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (dlq.entries().stream().noneMatch(e -> poison.equals(e.value()))) {
                assertTrue(System.nanoTime() < deadline, "the poison message never reached " + Topics.deadLetter(Topics.WORK_UNITS));
                Thread.sleep(200);
            }
        }
    }

    @Test
    @Order(5)
    void requestsWithoutTheTokenGet401AndPathsOutsideTheRootsGet400() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = Fixtures.json(Fixtures.job(dataset, Fixtures.MODEL, Fixtures.TASK));
        for (HttpRequest.Builder r : List.of(
                HttpRequest.newBuilder(URI.create(cluster.orchestratorUrl() + "/jobs")).GET(),
                HttpRequest.newBuilder(URI.create(cluster.orchestratorUrl() + "/jobs")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)),
                HttpRequest.newBuilder(URI.create(cluster.orchestratorUrl() + "/datasets/" + dataset)).GET(),
                HttpRequest.newBuilder(URI.create(cluster.resultsStoreUrl() + "/api/jobs")).GET())) {
            HttpRequest none = r.build();
            assertEquals(401, http.send(none, HttpResponse.BodyHandlers.discarding()).statusCode(), none.uri()::toString);
            HttpRequest wrong = r.header("Authorization", "Bearer wrong-" + cluster.apiToken()).build();
            assertEquals(401, http.send(wrong, HttpResponse.BodyHandlers.discarding()).statusCode(), wrong.uri()::toString);
        }
        TaleClient.Answer outsideData = client.submit(new JobSpec(Fixtures.MODEL, Fixtures.TASK, null, "/etc/passwd", 0L,
                null, null, null, "loglik", null, null, null, null, null, null, null, null, null, null, null));
        assertEquals(400, outsideData.status(), outsideData.body());
        TaleClient.Answer outsideModel = client.submit(Fixtures.job(dataset, "../../etc", Fixtures.TASK));
        assertEquals(400, outsideModel.status(), outsideModel.body());
        assertTrue(outsideModel.body().contains("model"), outsideModel.body());
    }

    private void assertFailsNaming(TaleClient.Answer submitted, String culprit) {
        if (submitted.status() == 400) {
            assertTrue(submitted.body().contains(culprit), submitted.body());
            return;
        }
        assertEquals(202, submitted.status(), submitted.body());
        JsonNode job = client.awaitTerminal(submitted.json().path("id").asText(), JOB_TIMEOUT);
        assertEquals("failed", job.path("state").asText(), job::toString);
        assertTrue(job.path("error").asText().contains(culprit), job::toString);
    }

    private JsonNode get(String url, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (withToken) b.header("Authorization", "Bearer " + cluster.apiToken());
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? TaleClient.JSON.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static JsonNode eventually(Supplier<JsonNode> probe, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            JsonNode n = probe.get();
            if (n != null) return n;
            if (System.nanoTime() > deadline) fail("no answer within " + seconds + " s");
            Thread.sleep(500);
        }
    }
}
