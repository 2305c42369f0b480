package tale.modelserver;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tale.core.model.LayerMask;
import tale.core.text.ChatMessage;

/** The OpenAI-compatible endpoints over real HTTP, each answer checked against the core runtime. */
@QuarkusTest
@WithTestResource(value = TestServer.class, scope = TestResourceScope.MATCHING_RESOURCES)
class CompletionsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void ready() {
        Ready.await();
    }

    private static Response post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path);
    }

    @Test
    void listsModelsAndProfilesWithTheirLayers() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("tiny", "tiny:pruned"))
                .body("data.find { it.id == 'tiny:pruned' }.tale.layers_removed", equalTo(List.of(1, 4)))
                .body("data.find { it.id == 'tiny:pruned' }.tale.layers_active", equalTo(4))
                .body("data.find { it.id == 'tiny' }.tale.layers_active", equalTo(6))
                .body("data.find { it.id == 'tiny' }.state", equalTo("ready"));
    }

    @Test
    void completionEqualsTheCoreUnderTheReportedMask() {
        String prompt = "The quick brown fox";
        for (String model : List.of("tiny", "tiny:pruned")) {
            Response r = post("/v1/completions", Map.of("model", model, "prompt", prompt, "max_tokens", 12));
            r.then().statusCode(200).body("object", equalTo("text_completion")).body("model", equalTo(model))
                    .body("id", startsWith("cmpl-"));
            String removed = r.header("X-Tale-Layers-Removed");
            assertEquals(model.equals("tiny") ? "none" : TestServer.PRUNED, removed);
            assertEquals(model.equals("tiny") ? List.of() : List.of(1, 4), r.path("tale.layers_removed"));
            LayerMask mask = Reference.mask(removed.equals("none") ? "" : removed);
            assertEquals(Reference.complete(prompt, mask, 12), r.path("choices[0].text"));
            int completionTokens = r.path("usage.completion_tokens");
            assertEquals(r.path("choices[0].finish_reason").equals("length"), completionTokens == 12);
            assertEquals(Reference.model().tokenizer().encode(prompt).length, (int) r.path("usage.prompt_tokens"));
        }
        assertNotEquals(Reference.complete(prompt, Reference.mask(""), 12),
                Reference.complete(prompt, Reference.mask(TestServer.PRUNED), 12), "the masks must give different texts");
    }

    @Test
    void chatCompletionUsesTheChatTemplate() {
        List<Map<String, String>> messages = List.of(Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "Name a colour."));
        Response r = post("/v1/chat/completions", Map.of("model", "tiny:pruned", "messages", messages, "max_tokens", 10));
        r.then().statusCode(200).body("object", equalTo("chat.completion"))
                .body("choices[0].message.role", equalTo("assistant"));
        String expected = Reference.chat(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Name a colour.")),
                Reference.mask(TestServer.PRUNED), 10);
        assertEquals(expected, r.path("choices[0].message.content"));
    }

    @Test
    void streamingReturnsTheSameTextAsNonStreaming() throws Exception {
        for (String prompt : List.of("Once upon a time", "Grüße aus Köln: ", "数字 42")) {
            Map<String, Object> body = Map.of("model", "tiny", "prompt", prompt, "max_tokens", 24);
            String whole = post("/v1/completions", body).then().statusCode(200).extract().path("choices[0].text");
            Response streamed = post("/v1/completions", with(body, "stream", true));
            streamed.then().statusCode(200).contentType(startsWith("text/event-stream"));
            List<JsonNode> chunks = events(streamed.asString());
            StringBuilder text = new StringBuilder();
            for (JsonNode c : chunks) text.append(c.path("choices").path(0).path("text").asText());
            assertEquals(whole, text.toString(), "prompt " + prompt);
            assertTrue(chunks.size() > 2, "tokens arrive as separate events");
            JsonNode last = chunks.get(chunks.size() - 1);
            assertFalse(last.path("choices").path(0).path("finish_reason").isNull());
            assertEquals("none", streamed.header("X-Tale-Layers-Removed"));
            assertEquals(0, last.path("tale").path("layers_removed").size());
            for (JsonNode c : chunks) assertFalse(c.toString().contains("\\ufffd"), "no broken characters: " + c);
        }
        Map<String, Object> chat = Map.of("model", "tiny:pruned", "max_tokens", 20,
                "messages", List.of(Map.of("role", "user", "content", "Hello there")));
        String whole = post("/v1/chat/completions", chat).then().statusCode(200).extract().path("choices[0].message.content");
        List<JsonNode> chunks = events(post("/v1/chat/completions", with(chat, "stream", true)).asString());
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks) text.append(c.path("choices").path(0).path("delta").path("content").asText(""));
        assertEquals(whole, text.toString());
        assertEquals("assistant", chunks.get(0).path("choices").path(0).path("delta").path("role").asText());
        assertEquals("chat.completion.chunk", chunks.get(0).path("object").asText());
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new java.util.HashMap<>(body);
        copy.put(key, value);
        return copy;
    }

    /** The JSON events of an SSE body, checking it ends with data: [DONE]. */
    static List<JsonNode> events(String sse) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        String[] blocks = sse.split("\n\n");
        assertEquals("data: [DONE]", blocks[blocks.length - 1].strip(), "stream must end with [DONE]");
        for (int i = 0; i < blocks.length - 1; i++) {
            assertTrue(blocks[i].startsWith("data: "), blocks[i]);
            out.add(JSON.readTree(blocks[i].substring(6)));
        }
        return out;
    }

    @Test
    void scoreEqualsTheCoreLogLikelihoods() {
        String prompt = "Is the sky blue? Answer:";
        List<String> choices = List.of(" yes", " no", " maybe not");
        Response r = post("/v1/score", Map.of("model", "tiny:pruned", "prompt", prompt, "choices", choices));
        r.then().statusCode(200).body("tale.layers_removed", equalTo(List.of(1, 4)));
        float best = Float.NEGATIVE_INFINITY;
        int bestIndex = -1;
        for (int i = 0; i < choices.size(); i++) {
            float[] expected = Reference.choiceLogProbs(prompt, choices.get(i), Reference.mask(TestServer.PRUNED));
            float sum = 0;
            for (int t = 0; t < expected.length; t++) {
                sum += expected[t];
                assertEquals(expected[t], ((Number) r.path("choices[" + i + "].token_logprobs[" + t + "]")).floatValue(), 1e-5);
            }
            assertEquals(sum, ((Number) r.path("choices[" + i + "].logprob")).floatValue(), 1e-4);
            if (sum > best) {
                best = sum;
                bestIndex = i;
            }
        }
        assertEquals(bestIndex, (int) r.path("best"));
    }

    @Test
    void badRequestsGetOneLineErrorsWithTheRightStatus() {
        post("/v1/completions", Map.of("model", "nope", "prompt", "x")).then().statusCode(404)
                .body("error.type", equalTo("not_found_error"));
        post("/v1/completions", Map.of("model", "tiny:nope", "prompt", "x")).then().statusCode(404);
        post("/v1/completions", Map.of("model", "tiny", "prompt", "x", "temperature", 0.7)).then().statusCode(400)
                .body("error.message", startsWith("temperature must be 0"));
        post("/v1/completions", Map.of("model", "tiny", "prompt", "x", "max_tokens", 10_000)).then().statusCode(400)
                .body("error.message", startsWith("max_tokens 10000 exceeds"));
        post("/v1/completions", Map.of("model", "tiny", "prompt", "")).then().statusCode(400);
        post("/v1/completions", Map.of("model", "tiny", "prompt", "x", "n", 2)).then().statusCode(400);
        given().contentType(ContentType.JSON).body("{\"model\": ").post("/v1/completions").then().statusCode(400)
                .body("error.message", startsWith("malformed JSON"));
        post("/v1/chat/completions", Map.of("model", "tiny", "messages", List.of())).then().statusCode(400);
        post("/v1/score", Map.of("model", "tiny", "prompt", "x")).then().statusCode(400)
                .body("error.message", equalTo("choices is missing or empty"));
        post("/v1/completions", Map.of("model", "tiny", "prompt", List.of(1, 2, 99999))).then().statusCode(400)
                .body("error.message", startsWith("prompt token 99999 is outside the vocabulary"));
    }

    @Test
    void tokenIdPromptsAreAccepted() {
        int[] ids = Reference.model().tokenizer().encode("Hello");
        List<Integer> list = new ArrayList<>();
        for (int id : ids) list.add(id);
        String text = post("/v1/completions", Map.of("model", "tiny", "prompt", list, "max_tokens", 8))
                .then().statusCode(200).extract().path("choices[0].text");
        assertEquals(Reference.complete("Hello", Reference.mask(""), 8), text);
    }
}
