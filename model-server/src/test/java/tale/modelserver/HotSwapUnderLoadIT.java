package tale.modelserver;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: 8 clients send 320 requests (a quarter of them streamed) while the profile's mask is
 * swapped part-way through. No request fails, and every response's text equals the core runtime's greedy
 * generation under the mask the response says it ran under.
 */
@QuarkusTest
@WithTestResource(value = TestServer.class, scope = TestResourceScope.MATCHING_RESOURCES)
class HotSwapUnderLoadIT {

    private static final int CLIENTS = 8;
    private static final int PER_CLIENT = 40;
    private static final int MAX_TOKENS = 6;
    private static final String BEFORE = "2";
    private static final String AFTER = "0,3,5";
    private static final List<String> PROMPTS = List.of("Alpha", "Bravo charlie", "Delta echo foxtrot", "Golf",
            "Hotel india", "Juliett kilo lima", "Mike", "November oscar", "Papa quebec romeo", "Sierra", "Tango uniform",
            "Victor whiskey x-ray", "Yankee zulu", "Zero one two three");

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/") URL base;

    /** What one request got back. */
    private record Outcome(String prompt, int status, String removed, String version, String text, String body) { }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void aSwapUnderConcurrentLoadFailsNothingAndEveryAnswerMatchesItsMask() throws Exception {
        setMask(BEFORE);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch halfway = new CountDownLatch(CLIENTS * PER_CLIENT / 3);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                for (int i = 0; i < PER_CLIENT; i++) {
                    String prompt = PROMPTS.get((client * 7 + i) % PROMPTS.size());
                    boolean stream = (client + i) % 4 == 0;
                    outcomes.add(send(http, prompt, stream));
                    done.incrementAndGet();
                    halfway.countDown();
                }
                return null;
            }));
        }
        assertTrue(halfway.await(90, TimeUnit.SECONDS), "a third of the requests finished");
        setMask(AFTER);
        for (Future<?> f : clients) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();

        assertEquals(CLIENTS * PER_CLIENT, outcomes.size());
        Map<String, Integer> byMask = new TreeMap<>();
        Map<String, Set<String>> versionsByMask = new ConcurrentHashMap<>();
        for (Outcome o : outcomes) {
            assertEquals(200, o.status(), o.body());
            assertTrue(o.removed().equals(BEFORE) || o.removed().equals(AFTER), "reported mask " + o.removed());
            String expected = Reference.complete(o.prompt(), Reference.mask(o.removed()), MAX_TOKENS);
            assertEquals(expected, o.text(), "prompt \"" + o.prompt() + "\" under mask " + o.removed());
            byMask.merge(o.removed(), 1, Integer::sum);
            versionsByMask.computeIfAbsent(o.removed(), k -> ConcurrentHashMap.newKeySet()).add(o.version());
        }
        assertTrue(byMask.getOrDefault(BEFORE, 0) > 0 && byMask.getOrDefault(AFTER, 0) > 0,
                "the swap happened while requests ran: " + byMask);
        assertEquals(1, versionsByMask.get(BEFORE).size(), "one profile version per mask");
        assertEquals(1, versionsByMask.get(AFTER).size(), "one profile version per mask");
        System.out.printf("hot swap under load: %d requests, by mask %s%n", outcomes.size(), byMask);
    }

    private Outcome send(HttpClient http, String prompt, boolean stream) {
        try {
            String body = JSON.writeValueAsString(Map.of("model", "tiny:hot-swap", "prompt", prompt,
                    "max_tokens", MAX_TOKENS, "stream", stream));
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "v1/completions"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            String removed = r.headers().firstValue("X-Tale-Layers-Removed").orElse("?");
            String version = r.headers().firstValue("X-Tale-Profile-Version").orElse("?");
            if (r.statusCode() != 200) return new Outcome(prompt, r.statusCode(), removed, version, null, r.body());
            String text;
            if (stream) {
                StringBuilder t = new StringBuilder();
                for (JsonNode chunk : CompletionsIT.events(r.body())) {
                    t.append(chunk.path("choices").path(0).path("text").asText());
                    if (chunk.has("tale")) assertEquals(removed, maskOf(chunk.get("tale")), "header and body agree");
                }
                text = t.toString();
            } else {
                JsonNode json = JSON.readTree(r.body());
                assertEquals(removed, maskOf(json.get("tale")), "header and body agree");
                text = json.path("choices").path(0).path("text").asText();
            }
            return new Outcome(prompt, r.statusCode(), removed, version, text, r.body());
        } catch (Exception e) {
            return new Outcome(prompt, -1, "?", "?", null, e.toString());
        }
    }

    private static String maskOf(JsonNode tale) {
        List<String> layers = new ArrayList<>();
        tale.path("layers_removed").forEach(n -> layers.add(n.asText()));
        return layers.isEmpty() ? "none" : String.join(",", layers);
    }

    private static void setMask(String removed) {
        List<Integer> layers = new ArrayList<>();
        for (String s : removed.split(",")) layers.add(Integer.parseInt(s));
        int status = given().header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("layers_removed", layers)).put("/admin/profiles/tiny:hot-swap").statusCode();
        assertTrue(status == 200 || status == 201, "PUT answered " + status);
    }
}
