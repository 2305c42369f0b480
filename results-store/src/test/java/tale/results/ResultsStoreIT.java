package tale.results;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tale.messages.Topics;

/**
 * The results store against a real Kafka broker and the machine's PostgreSQL: a finished job's events go through
 * the broker (after an unreadable record on each topic), then every query answers with the job's numbers.
 */
@QuarkusTest
@TestProfile(PostgresProfile.class)
@QuarkusTestResource(KafkaBroker.class)
class ResultsStoreIT {

    static final String JOB = "job-it-1";

    private static boolean published;

    /** Once per class, but inside the running application (RestAssured knows its port only then). */
    @BeforeEach
    void publishOnce() throws Exception {
        if (published) return;
        published = true;
        try (EventFeed feed = new EventFeed()) {
            // Poison first: the records after them must still be stored.
            feed.send(Topics.JOBS, JOB, "this is not JSON");
            feed.send(Topics.SCORES, JOB, "{\"schemaVersion\":99,\"jobId\":\"" + JOB + "\",\"unitId\":\"u\",\"workerId\":\"w\","
                    + "\"error\":\"x\"}");
            feed.send(Topics.SELECTIONS, "m", "{\"schemaVersion\":1,\"jobId\":\"" + JOB + "\"}");
            feed.finishedJob(JOB, Instant.parse("2026-01-01T10:00:00Z"));
        }
        awaitStored();
    }

    @AfterAll
    static void dropSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresProfile.URL, "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS \"" + PostgresProfile.SCHEMA + "\" CASCADE");
        }
    }

    static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + PostgresProfile.TOKEN);
    }

    /** Waits until the job, its four rounds, eight unit results and the selection are in. */
    static void awaitStored() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            var response = api().get("/api/jobs/" + JOB);
            if (response.statusCode() == 200) {
                JsonPath j = response.jsonPath();
                last = j.getString("state") + " rounds " + j.getList("rounds").size() + " workers " + j.getList("workers")
                        + " selections " + j.getList("selections").size();
                if ("succeeded".equals(j.getString("state")) && j.getList("rounds").size() == 4
                        && j.getList("workers.units", Integer.class).equals(List.of(4, 4)) && j.getList("selections").size() == 1) {
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the job's events were not all stored within 90 s; last seen: " + last);
    }

    @Test
    void jobHoldsRoundsScoresSummaryAndWorkers() {
        JsonPath j = api().get("/api/jobs/" + JOB).then().statusCode(200).extract().jsonPath();
        assertEquals("tiny-llama", j.getString("model"));
        assertEquals("boolq", j.getString("task"));
        assertEquals(8, j.getInt("numLayers"));
        assertEquals(0.62, j.getDouble("floor"), 1e-12);
        assertEquals("bsba", j.getString("spec.deploy"));
        assertEquals(List.of(8, 7, 6, 5), j.getList("rounds.collect { it.candidates.size() }", Integer.class));
        assertEquals(List.of(4, 2, 1, 5), j.getList("rounds.winner", Integer.class));
        assertEquals(List.of(true, true, true, false), j.getList("rounds.accepted", Boolean.class));
        assertEquals(0.74f, j.getFloat("rounds[0].candidates.find { it.layer == 4 }.accuracy"), 1e-6);
        assertEquals(List.of(2, 4), j.getList("rounds[2].removedBefore", Integer.class));
        assertEquals(List.of(4), j.getList("summary.best.removed", Integer.class));
        assertEquals(List.of("worker-a", "worker-b"), j.getList("workers.workerId", String.class));
        // Each worker scored half the examples of every candidate of every round.
        assertEquals(List.of(1300, 1300), j.getList("workers.scores", Integer.class));
        assertEquals("bsba", j.getString("selections[0].deployed"));
        api().get("/api/jobs").then().statusCode(200).body("id", hasItem(JOB)).body("find { it.id == '" + JOB + "' }.state",
                equalTo("succeeded"));
    }

    @Test
    void trajectoryHasTheChainTheFloorAndBestBsbaFinal() {
        JsonPath t = api().get("/api/jobs/" + JOB + "/trajectory").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(0, 1, 2, 3), t.getList("points.layersRemoved", Integer.class));
        assertEquals(List.of(0.70f, 0.74f, 0.71f, 0.64f), t.getList("points.searchAccuracy", Float.class));
        assertEquals(List.of(0.675f, 0.70f, 0.69f, 0.60f), t.getList("points.testAccuracy", Float.class));
        assertEquals(0.62f, t.getFloat("floor"), 1e-6);
        assertEquals(0.70f, t.getFloat("baseline"), 1e-6);
        assertEquals(List.of(4), t.getList("best.removed", Integer.class));
        assertEquals(List.of(2, 4), t.getList("bsba.removed", Integer.class));
        assertEquals(List.of(1, 2, 4), t.getList("final.removed", Integer.class));
    }

    @Test
    void heatmapHasEveryCandidateOfEveryRound() {
        JsonPath h = api().get("/api/jobs/" + JOB + "/heatmap").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(1, 2, 3, 4), h.getList("rounds", Integer.class));
        assertEquals(26, h.getList("cells").size());
        assertEquals(0.15f, h.getFloat("cells.find { it.round == 4 && it.layer == 7 }.accuracy"), 1e-6);
        assertTrue(h.getBoolean("cells.find { it.round == 1 && it.layer == 4 }.accepted"));
        assertTrue(h.getBoolean("cells.find { it.round == 4 && it.layer == 5 }.winner"));
        assertEquals(false, h.getBoolean("cells.find { it.round == 4 && it.layer == 5 }.accepted"));
    }

    @Test
    void bestPerModelAndTask() {
        JsonPath b = api().queryParam("model", "tiny-llama").queryParam("task", "boolq").get("/api/best")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, b.getList("$").size());
        assertEquals(List.of(4), b.getList("[0].highestAccuracy.configuration.removed", Integer.class));
        assertEquals(List.of(2, 4), b.getList("[0].deepestAtBaseline.configuration.removed", Integer.class));
        assertEquals(JOB, b.getString("[0].highestAccuracy.jobId"));
        api().queryParam("model", "no-such-model").get("/api/best").then().statusCode(200).body("size()", equalTo(0));
    }

    @Test
    void badRequestsAreNamed() {
        api().get("/api/jobs/no-such-job").then().statusCode(404).body("error", containsString("no-such-job"));
        api().get("/api/jobs/no-such-job/trajectory").then().statusCode(404);
        api().get("/api/jobs/bad$id").then().statusCode(400).body("error", containsString("job id"));
        api().queryParam("limit", "0").get("/api/jobs").then().statusCode(400).body("error", containsString("limit"));
        api().queryParam("state", "sleeping").get("/api/jobs").then().statusCode(400).body("error", containsString("state"));
        api().queryParam("model", " ").get("/api/best").then().statusCode(400).body("error", containsString("model"));
    }

    @Test
    void apiNeedsTheTokenTheDashboardAndOpenapiDoNot() {
        given().get("/api/jobs").then().statusCode(401).body("error", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong").get("/api/jobs/" + JOB).then().statusCode(401);
        given().get("/").then().statusCode(200).body(containsString("TALE results"));
        given().get("/webjars/chart.js/4.4.3/dist/chart.umd.js").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/jobs/{id}/trajectory"));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("results database"));
    }

    @Test
    void unreadableRecordsGoToTheDeadLetterTopics() {
        try (EventFeed feed = new EventFeed()) {
            assertEquals(List.of("this is not JSON"), feed.read(Topics.deadLetter(Topics.JOBS), 1, Duration.ofSeconds(30)));
            assertTrue(feed.read(Topics.deadLetter(Topics.SCORES), 1, Duration.ofSeconds(30)).get(0).contains("\"schemaVersion\":99"));
            assertEquals(1, feed.read(Topics.deadLetter(Topics.SELECTIONS), 1, Duration.ofSeconds(30)).size());
        }
    }
}
