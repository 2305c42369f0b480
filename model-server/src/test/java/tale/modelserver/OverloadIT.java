package tale.modelserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With a one-request queue, a burst is answered 429 (with Retry-After) rather than queued without bound. */
@QuarkusTest
@TestProfile(OverloadIT.OneSlot.class)
@WithTestResource(value = TestServer.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OverloadIT {

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tale.serving.queue-capacity", "1", "tale.serving.max-batch-size", "1");
        }
    }

    @TestHTTPResource("/") URL base;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void aBurstBeyondTheQueueIsRefusedWith429() throws Exception {
        long start = System.nanoTime();
        HttpClient http = HttpClient.newHttpClient();
        String body = new ObjectMapper().writeValueAsString(
                Map.of("model", "tiny", "prompt", "burst", "max_tokens", 48, "ignore_eos", true));
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0, refused = 0;
        for (CompletableFuture<HttpResponse<String>> f : burst) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                ok++;
                assertTrue(r.body().contains("\"completion_tokens\":48"), r.body());
            } else {
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                assertTrue(r.body().contains("\"type\":\"rate_limit_error\""), r.body());
                refused++;
            }
        }
        assertTrue(ok >= 1 && refused >= 1, ok + " answered, " + refused + " refused");
        System.out.printf("overload: %d answered, %d refused with 429 in %.1f s%n", ok, refused, (System.nanoTime() - start) / 1e9);
    }
}
