package tale.modelserver;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health, readiness and Prometheus metrics. */
@QuarkusTest
@WithTestResource(value = TestServer.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OperationsIT {

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void healthAndReadinessReportTheModels() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'models' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'models' }.data.tiny", equalTo("ready"));
    }

    @Test
    void metricsCountRequestsLatencyTokensAndLayers() {
        given().contentType(ContentType.JSON).body(Map.of("model", "tiny:pruned", "prompt", "metrics", "max_tokens", 5))
                .post("/v1/completions").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("model", "tiny:pruned", "prompt", "x", "temperature", 1))
                .post("/v1/completions").then().statusCode(400);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("tale_requests_total{endpoint=\"/v1/completions\",model=\"tiny\",outcome=\"ok\",profile=\"pruned\"}"))
                .body(containsString("tale_requests_total{endpoint=\"/v1/completions\",model=\"none\",outcome=\"invalid\",profile=\"none\"}"))
                .body(containsString("tale_request_duration_seconds_bucket{endpoint=\"/v1/completions\",model=\"tiny\",profile=\"pruned\""))
                .body(containsString("tale_generated_tokens_total{model=\"tiny\",profile=\"pruned\"}"))
                .body(containsString("tale_generation_tokens_per_second_count{model=\"tiny\",profile=\"pruned\"}"))
                .body(containsString("tale_profile_active_layers{model=\"tiny\",profile=\"pruned\"} 4.0"))
                .body(containsString("tale_profile_active_layers{model=\"tiny\",profile=\"full\"} 6.0"))
                .body(containsString("tale_queue_depth{model=\"tiny\"}"));
    }
}
