package tale.modelserver;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Profile management over HTTP: token, swap, history, rollback, delete; requests follow the swaps. */
@QuarkusTest
@WithTestResource(value = TestServer.class, scope = TestResourceScope.MATCHING_RESOURCES)
class AdminIT {

    @BeforeEach
    void ready() {
        Ready.await();
    }

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).contentType(ContentType.JSON);
    }

    private static Response complete(String model) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("model", model, "prompt", "Swap me", "max_tokens", 6)).post("/v1/completions");
    }

    @Test
    void adminNeedsTheBearerToken() {
        given().get("/admin/profiles").then().statusCode(401).body("error.type", equalTo("authentication_error"));
        given().header("Authorization", "Bearer wrong").get("/admin/profiles").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("layers_removed", List.of(1)))
                .put("/admin/profiles/tiny:sneaky").then().statusCode(401);
        admin().get("/admin/profiles/tiny:sneaky").then().statusCode(404);
        admin().get("/admin/profiles").then().statusCode(200);
    }

    @Test
    void swapRollbackHistoryAndDelete() {
        admin().body(Map.of("layers_removed", List.of(2))).put("/admin/profiles/tiny:admin-task").then().statusCode(201)
                .body("current.layers_removed", equalTo(List.of(2))).body("current.profile_version", equalTo(1));
        Response first = complete("tiny:admin-task");
        assertEquals("2", first.header("X-Tale-Layers-Removed"));
        assertEquals(Reference.complete("Swap me", Reference.mask("2"), 6), first.path("choices[0].text"));

        admin().body(Map.of("layers_removed", List.of(2, 3), "reason", "bsba for admin-task"))
                .put("/admin/profiles/tiny:admin-task").then().statusCode(200)
                .body("current.layers_removed", equalTo(List.of(2, 3))).body("current.profile_version", equalTo(2));
        Response second = complete("tiny:admin-task");
        assertEquals("2,3", second.header("X-Tale-Layers-Removed"));
        assertEquals("2", second.header("X-Tale-Profile-Version"));
        assertEquals(Reference.complete("Swap me", Reference.mask("2,3"), 6), second.path("choices[0].text"));

        admin().post("/admin/profiles/tiny:admin-task/rollback").then().statusCode(200)
                .body("current.layers_removed", equalTo(List.of(2))).body("current.profile_version", equalTo(3))
                .body("rollback_depth", equalTo(0));
        assertEquals("2", complete("tiny:admin-task").header("X-Tale-Layers-Removed"));
        admin().post("/admin/profiles/tiny:admin-task/rollback").then().statusCode(409);

        admin().get("/admin/profiles/tiny:admin-task/history").then().statusCode(200).body("$", hasSize(3))
                .body("action", equalTo(List.of("CREATED", "SET", "ROLLBACK")))
                .body("layers_removed", equalTo(List.of(List.of(2), List.of(2, 3), List.of(2))))
                .body("[1].source", equalTo("admin: bsba for admin-task"));

        given().get("/q/metrics").then()
                .body(containsString("tale_profile_active_layers{model=\"tiny\",profile=\"admin-task\"} 5.0"));
        admin().delete("/admin/profiles/tiny:admin-task").then().statusCode(204);
        complete("tiny:admin-task").then().statusCode(404);
    }

    @Test
    void impossibleChangesAreRefused() {
        admin().body(Map.of("layers_removed", List.of(1))).put("/admin/profiles/tiny:full").then().statusCode(409);
        admin().body(Map.of("layers_removed", List.of(6))).put("/admin/profiles/tiny:x").then().statusCode(400)
                .body("error.message", containsString("out of range"));
        admin().body(Map.of("layers_removed", List.of(0, 1, 2, 3, 4, 5))).put("/admin/profiles/tiny:x").then().statusCode(400);
        admin().body(Map.of("layers_removed", List.of(1))).put("/admin/profiles/tiny").then().statusCode(400);
        admin().body(Map.of("layers_removed", List.of(1))).put("/admin/profiles/nope:x").then().statusCode(404);
        admin().body(Map.of("layers_removed", List.of(1))).put("/admin/profiles/tiny:bad name").then().statusCode(400);
        admin().body("{}").put("/admin/profiles/tiny:x").then().statusCode(400);
        admin().post("/admin/profiles/tiny/rollback").then().statusCode(409);
    }
}
