package tale.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionEventTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

    private static SelectionEvent event() {
        return SelectionEvent.of("job-42", "qwen3-0.6b", 28, "boolq", SelectionEvent.Deployed.BSBA,
                List.of(3, 5, 17), 0.812, Instant.parse("2025-01-31T12:00:00Z"));
    }

    @Test
    void roundTripsThroughJson() throws Exception {
        SelectionEvent original = event();
        String text = json.writeValueAsString(original);
        assertEquals(original, json.readValue(text, SelectionEvent.class));
    }

    @Test
    void writesTheDocumentedSchema() throws Exception {
        JsonNode node = json.readTree(json.writeValueAsString(event()));
        assertEquals(1, node.get("schemaVersion").asInt());
        assertEquals("job-42", node.get("jobId").asText());
        assertEquals("qwen3-0.6b", node.get("model").asText());
        assertEquals(28, node.get("numLayers").asInt());
        assertEquals("boolq", node.get("task").asText());
        assertEquals("bsba", node.get("deployed").asText());
        assertEquals("[3,5,17]", node.get("removedLayers").toString());
        assertEquals(0.812, node.get("accuracy").asDouble());
        assertEquals("2025-01-31T12:00:00Z", node.get("timestamp").asText());
        assertEquals(9, node.size());
    }

    @Test
    void readsTheReadmeExampleAndIgnoresUnknownFields() throws Exception {
        String text = """
                {"schemaVersion":1,"jobId":"job-42","model":"qwen3-0.6b","numLayers":28,"task":"boolq",
                 "deployed":"best","removedLayers":[3,5,17],"accuracy":0.812,"timestamp":"2025-01-31T12:00:00Z",
                 "addedLater":"ignored"}""";
        SelectionEvent e = json.readValue(text, SelectionEvent.class);
        assertEquals(SelectionEvent.Deployed.BEST, e.deployed());
        assertEquals(List.of(3, 5, 17), e.removedLayers());
    }

    @Test
    void rejectsMalformedEventsWhenRead() {
        String[] bad = {
            "{\"schemaVersion\":2,\"jobId\":\"j\",\"model\":\"m\",\"numLayers\":4,\"task\":\"t\",\"deployed\":\"best\","
                    + "\"removedLayers\":[1],\"accuracy\":0.5,\"timestamp\":\"2025-01-31T12:00:00Z\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"model\":\"m\",\"numLayers\":4,\"task\":\"t\",\"deployed\":\"best\","
                    + "\"removedLayers\":[4],\"accuracy\":0.5,\"timestamp\":\"2025-01-31T12:00:00Z\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"model\":\"\",\"numLayers\":4,\"task\":\"t\",\"deployed\":\"best\","
                    + "\"removedLayers\":[1],\"accuracy\":0.5,\"timestamp\":\"2025-01-31T12:00:00Z\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"model\":\"m\",\"numLayers\":2,\"task\":\"t\",\"deployed\":\"best\","
                    + "\"removedLayers\":[0,1],\"accuracy\":0.5,\"timestamp\":\"2025-01-31T12:00:00Z\"}",
            "{\"schemaVersion\":1,\"jobId\":\"j\",\"model\":\"m\",\"numLayers\":4,\"task\":\"t\","
                    + "\"removedLayers\":[1],\"accuracy\":0.5,\"timestamp\":\"2025-01-31T12:00:00Z\"}",
        };
        for (String text : bad) {
            assertThrows(ValueInstantiationException.class, () -> json.readValue(text, SelectionEvent.class), text);
        }
    }

    @Test
    void deadLetterTopicFollowsTheConvention() {
        assertEquals("tale.selections", Topics.SELECTIONS);
        assertTrue(Topics.deadLetter(Topics.SELECTIONS).endsWith(".dlq"));
    }
}
