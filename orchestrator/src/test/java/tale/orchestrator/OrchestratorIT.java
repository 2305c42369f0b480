package tale.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tale.cli.Tale;
import tale.messages.JobSpec;
import tale.messages.SelectionEvent;
import tale.messages.Topics;
import tale.messages.UnitResult;

/**
 * The orchestrator in this JVM against a real Kafka broker and the real PostgreSQL, with a worker on the broker
 * that scores with core's LocalEvaluator on a tiny real checkpoint. One application start for every test.
 */
@QuarkusTest
@QuarkusTestResource(value = TestOrchestrator.class, restrictToAnnotatedClass = true)
class OrchestratorIT {

    static final String AUTH = "Bearer " + TestOrchestrator.TOKEN;
    static final Duration JOB_DEADLINE = Duration.ofMinutes(4);

    @Inject ObjectMapper json;
    @TestHTTPResource("/") URL base;

    static TestWorker scorer;
    static KafkaTestWorker worker;
    static JsonNode reference;

    @BeforeAll
    static void referenceSearch() throws Exception {
        Fixtures f = TestOrchestrator.fixtures;
        Path out = Files.createTempDirectory("tale-search-reference");
        StringWriter err = new StringWriter();
        int status = Tale.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "search",
                "--model", f.modelRoot.resolve(Fixtures.MODEL).toString(), "--task", "arc_easy",
                "--data", f.dataRoot.resolve(Fixtures.TASK_FILE).toString(), "--scoring", "loglik",
                "--max-removed", "2", "--batch-size", "1", "--out", out.toString());
        assertEquals(0, status, err.toString());
        reference = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    @AfterAll
    static void stopWorker() throws Exception {
        if (worker != null) worker.close();
        if (scorer != null) scorer.close();
    }

    void startWorker() {
        if (worker != null) return;
        Fixtures f = TestOrchestrator.fixtures;
        scorer = new TestWorker(f.modelRoot.resolve(Fixtures.MODEL), spec -> spec.dataset() != null
                ? onlyFile(f.dataDir.resolve("datasets").resolve(spec.dataset())) : f.dataRoot.resolve(spec.data()));
        worker = new KafkaTestWorker(TestOrchestrator.bootstrap, json, scorer);
    }

    static Path onlyFile(Path dir) {
        try (var files = Files.list(dir)) {
            return files.findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JobSpec spec(String dataset, String data, String deploy) {
        return new JobSpec(Fixtures.MODEL, "arc_easy", dataset, data, null, null, null, null, "loglik", null, null,
                null, 2, null, null, null, null, null, null, deploy);
    }

    String submit(JobSpec spec) {
        return given().header("Authorization", AUTH).contentType(ContentType.JSON).body(spec)
                .when().post("/jobs")
                .then().statusCode(202).header("Location", containsString("/jobs/job-")).body("state", equalTo("queued"))
                .extract().path("id");
    }

    JsonNode awaitFinished(String id) throws Exception {
        long end = System.nanoTime() + JOB_DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            JsonNode job = json.readTree(given().header("Authorization", AUTH).get("/jobs/" + id).then().statusCode(200)
                    .extract().asString());
            String state = job.get("state").asText();
            if (!state.equals("queued") && !state.equals("running")) return job;
            Thread.sleep(250);
        }
        throw new AssertionError("job " + id + " did not finish within " + JOB_DEADLINE);
    }

    @Test
    void requestsWithoutTheTokenAreRefused() {
        given().when().get("/jobs").then().statusCode(401).body("error", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong").when().get("/jobs").then().statusCode(401);
        given().contentType(ContentType.JSON).body(spec(null, Fixtures.TASK_FILE, null)).when().post("/jobs")
                .then().statusCode(401);
        given().contentType("application/x-ndjson").body("{}".getBytes()).when().post("/datasets").then().statusCode(401);
        given().when().get("/datasets/" + "0".repeat(64)).then().statusCode(401);
        given().when().delete("/jobs/job-x").then().statusCode(401);
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/jobs"));
    }

    @Test
    void invalidJobsGet400NamingTheField() {
        Map<String, Object> escapes = Map.of("model", "../models", "data", "../../etc/passwd");
        escapes.forEach((field, value) -> {
            Map<String, Object> body = new HashMap<>(json.convertValue(spec(null, Fixtures.TASK_FILE, null), Map.class));
            body.put(field, value);
            given().header("Authorization", AUTH).contentType(ContentType.JSON).body(body).when().post("/jobs")
                    .then().statusCode(400).body("fields", hasKey(field)).body("fields." + field, containsString("outside"));
        });
        Map<String, Object> bad = new HashMap<>(json.convertValue(spec(null, Fixtures.TASK_FILE, null), Map.class));
        bad.put("epsilon", -1);
        bad.put("task", "nope");
        bad.put("deploy", "everything");
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body(bad).when().post("/jobs")
                .then().statusCode(400).body("fields", hasKey("epsilon")).body("fields", hasKey("task"))
                .body("fields", hasKey("deploy")).body("error", containsString("invalid"));
        given().header("Authorization", AUTH).contentType(ContentType.JSON).body("{\"model\": ").when().post("/jobs")
                .then().statusCode(400).body("error", containsString("JSON"));
        given().header("Authorization", AUTH).when().get("/jobs/job-none").then().statusCode(404);
    }

    @Test
    void jobsMatchTaleSearchDespiteDuplicatesLateUnitsAndFailingNeighbours() throws Exception {
        startWorker();
        // A record that is not a UnitResult, and results no unit asked for: ignored, nothing stuck.
        worker.sendRaw("poison", "this is not JSON");
        worker.send(UnitResult.scored("job-unknown", "search/r0/0-4", 1, "stray", Map.of(), 0));

        byte[] content = Files.readAllBytes(TestOrchestrator.fixtures.dataRoot.resolve(Fixtures.TASK_FILE));
        String dataset = given().header("Authorization", AUTH).contentType("application/x-ndjson").body(content)
                .queryParam("name", "arc.jsonl").when().post("/datasets")
                .then().statusCode(201).body("bytes", equalTo(content.length)).extract().path("id");
        assertEquals(dataset, given().header("Authorization", AUTH).contentType("application/x-ndjson").body(content)
                .when().post("/datasets").then().statusCode(201).extract().path("id"), "same content, same id");
        byte[] back = given().header("Authorization", AUTH).when().get("/datasets/" + dataset).then().statusCode(200)
                .header("Content-Disposition", containsString("arc.jsonl")).extract().asByteArray();
        assertTrue(java.util.Arrays.equals(content, back));

        String normal = submit(spec(dataset, null, "bsba"));
        worker.mode(normal, KafkaTestWorker.Mode.NORMAL);
        CompletableFuture<List<JsonNode>> events = events(normal);
        String chaos = submit(spec(null, Fixtures.TASK_FILE, null));
        worker.mode(chaos, KafkaTestWorker.Mode.DUPLICATES_AND_LATE);
        String failing = submit(spec(null, Fixtures.TASK_FILE, null));
        worker.mode(failing, KafkaTestWorker.Mode.ERROR);
        String silent = submit(spec(null, Fixtures.TASK_FILE, null));
        worker.mode(silent, KafkaTestWorker.Mode.SILENT);
        // A result for a unit that the running job never published.
        worker.send(UnitResult.scored(normal, "search/r9/0-4", 1, "stray", Map.of(), 0));

        JsonNode failed = awaitFinished(failing);
        assertEquals("failed", failed.get("state").asText());
        assertTrue(failed.get("error").asText().contains("model file is corrupt (test)"), failed.toString());

        for (String id : List.of(normal, chaos)) {
            JsonNode job = awaitFinished(id);
            assertEquals("succeeded", job.get("state").asText(), job.toString());
            for (String key : List.of("floor", "stopReason", "baseline", "best", "bsba", "final", "chain", "rounds")) {
                assertEquals(reference.get(key), job.get("summary").get(key), id + ": " + key + " differs from tale search");
            }
            assertEquals(reference.get("search"), job.get("summary").get("search"), "the same search configuration");
            assertEquals(reference.get("rounds").size(), job.get("rounds").size());
            for (int i = 0; i < job.get("rounds").size(); i++) {
                assertEquals(reference.get("rounds").get(i).get("winner"), job.get("rounds").get(i).get("winner"));
            }
        }
        assertTrue(worker.reissuedSeen.get() > 0, "late units were published again");

        JsonNode timedOut = awaitFinished(silent);
        assertEquals("failed", timedOut.get("state").asText());
        assertTrue(timedOut.get("error").asText().matches("unit \\S+ got no result in " + TestOrchestrator.MAX_ATTEMPTS
                + " attempts.*"), timedOut.toString());

        List<JsonNode> streamed = events.get(30, java.util.concurrent.TimeUnit.SECONDS);
        List<String> types = streamed.stream().map(e -> e.get("type").asText()).toList();
        assertEquals("succeeded", types.get(types.size() - 1), types.toString());
        assertTrue(types.contains("round"), types.toString());
        assertEquals(reference.get("best"), streamed.get(streamed.size() - 1).get("summary").get("best"));

        SelectionEvent selection = selectionOf(normal);
        assertEquals(json.convertValue(reference.get("bsba").get("removed"), List.class), selection.removedLayers());
        assertEquals(SelectionEvent.Deployed.BSBA, selection.deployed());

        given().header("Authorization", AUTH).when().delete("/jobs/" + normal).then().statusCode(200)
                .body("state", equalTo("succeeded"));
        given().header("Authorization", AUTH).when().get("/jobs").then().statusCode(200)
                .body("id", org.hamcrest.Matchers.hasItems(normal, chaos, failing, silent));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("tale_orchestrator_results_total{outcome=\"ignored\""))
                .body(containsString("tale_orchestrator_units_published_total{attempt=\"retry\""))
                .body(containsString("tale_orchestrator_jobs{state=\"succeeded\""));
    }

    @Test
    void aCancelledJobStopsAndSaysSo() throws Exception {
        startWorker();
        String id = submit(spec(null, Fixtures.TASK_FILE, null));
        worker.mode(id, KafkaTestWorker.Mode.SILENT);
        given().header("Authorization", AUTH).when().delete("/jobs/" + id).then().statusCode(200)
                .body("state", equalTo("cancelled"));
        assertEquals("cancelled", awaitFinished(id).get("state").asText());
    }

    /** The job's server-sent events until the stream ends. */
    CompletableFuture<List<JsonNode>> events(String id) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString()).resolve("/jobs/" + id + "/events"))
                .header("Authorization", AUTH).header("Accept", "text/event-stream").build();
        return HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(r -> {
            assertEquals(200, r.statusCode());
            List<JsonNode> out = new ArrayList<>();
            r.body().filter(l -> l.startsWith("data:")).forEach(l -> {
                try {
                    out.add(json.readTree(l.substring(5).trim()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return out;
        });
    }

    SelectionEvent selectionOf(String jobId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestOrchestrator.bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-selections-" + jobId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(Topics.SELECTIONS));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    SelectionEvent e = json.readValue(r.value(), SelectionEvent.class);
                    if (e.jobId().equals(jobId)) return e;
                }
            }
        }
        throw new AssertionError("no selection event for " + jobId);
    }
}
