package tale.modelserver;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tale.messages.SelectionEvent;
import tale.messages.Topics;

/** Selection events through a real Kafka broker swap profiles; poison records go to the dead-letter topic. */
@QuarkusTest
@WithTestResource(value = TestServer.class, scope = TestResourceScope.MATCHING_RESOURCES)
class SelectionEventsIT {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

    private KafkaCompanion kafka;

    @BeforeEach
    void setUp() {
        Ready.await();
        kafka = new KafkaCompanion(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    private void publish(String key, String value) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.SELECTIONS, key, value))
                .awaitCompletion(Duration.ofSeconds(30));
    }

    private void publish(SelectionEvent event) throws Exception {
        publish(event.model(), JSON.writeValueAsString(event));
    }

    private static SelectionEvent event(String job, String model, int layers, String task, List<Integer> removed) {
        return SelectionEvent.of(job, model, layers, task, SelectionEvent.Deployed.BSBA, removed, 0.75, Instant.now());
    }

    private static Response profile(String id) {
        return given().header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).get("/admin/profiles/" + id);
    }

    /** Waits until the profile exists and removes {@code removed}. */
    private static Response awaitProfile(String id, List<Integer> removed) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Response r = profile(id);
            if (r.statusCode() == 200 && removed.equals(r.path("current.layers_removed"))) return r;
            Thread.sleep(100);
        }
        throw new AssertionError("profile " + id + " never removed " + removed + "; last: " + profile(id).asString());
    }

    @Test
    void aSelectionEventSwapsTheProfileOfItsTask() throws Exception {
        publish(event("job-1", "tiny", 6, "kafka-task", List.of(0, 5)));
        Response p = awaitProfile("tiny:kafka-task", List.of(0, 5));
        assertEquals("selection job-1 (bsba, accuracy 0.75)", p.path("history[0].source"));

        Response r = given().contentType(ContentType.JSON)
                .body(Map.of("model", "tiny:kafka-task", "prompt", "From Kafka", "max_tokens", 8)).post("/v1/completions");
        assertEquals("0,5", r.header("X-Tale-Layers-Removed"));
        assertEquals(Reference.complete("From Kafka", Reference.mask("0,5"), 8), r.path("choices[0].text"));

        // A later selection for the same task swaps it again; the mapped name "tiny-llama" is this server's "tiny".
        publish(event("job-2", "tiny-llama", 6, "kafka-task", List.of(3)));
        awaitProfile("tiny:kafka-task", List.of(3));

        // Task names that are not valid profile names are made so.
        publish(event("job-3", "tiny", 6, "bbh/date understanding", List.of(1)));
        awaitProfile("tiny:bbh-date-understanding", List.of(1));
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndConsumptionContinues() throws Exception {
        SelectionEvent duplicate = event("job-dup", "tiny", 6, "dedup-task", List.of(1));
        publish("tiny", "this is not JSON");
        publish(event("job-wrong-depth", "tiny", 12, "poison-task", List.of(7)));
        publish("tiny", "{\"schemaVersion\":99,\"jobId\":\"j\",\"model\":\"tiny\",\"numLayers\":6,\"task\":\"t\","
                + "\"deployed\":\"best\",\"removedLayers\":[1],\"accuracy\":0.5,\"timestamp\":\"2025-01-31T12:00:00Z\"}");
        publish(event("job-other", "not-served-here", 6, "other-task", List.of(1)));
        publish(duplicate);
        publish(duplicate); // at-least-once delivery: a redelivered event changes nothing
        publish(event("job-after", "tiny", 6, "after-poison", List.of(2, 4)));

        awaitProfile("tiny:after-poison", List.of(2, 4));
        profile("tiny:poison-task").then().statusCode(404);
        assertEquals(1, (int) awaitProfile("tiny:dedup-task", List.of(1)).path("history.size()"));

        List<ConsumerRecord<String, String>> dead = kafka.consumeStrings()
                .fromTopics(Topics.deadLetter(Topics.SELECTIONS), 3).awaitCompletion(Duration.ofSeconds(60)).getRecords();
        assertEquals(3, dead.size());
        assertEquals("this is not JSON", dead.get(0).value());
        assertTrue(dead.get(1).value().contains("job-wrong-depth"));
        assertTrue(dead.get(2).value().contains("\"schemaVersion\":99"));
    }
}
