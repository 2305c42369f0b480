package tale.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.task.Split;

class SearchReportTest {

    @TempDir
    Path tmp;

    static SearchResult sample() {
        ScoreTable t = new ScoreTable(10).set("", 80).set("0", 85).set("0,1", 76)
                .set(Split.TEST, "", 60).set(Split.TEST, "0", 58).set(Split.TEST, "0,1", 50);
        return SearchRunner.run(SearchConfig.defaults(4, 100, 0, 100), t, SearchStateTest.QUIET);
    }

    @Test
    void summaryJsonFollowsTheDocumentedSchema() throws Exception {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", "/models/tiny");
        run.put("task", "arc_easy");
        SearchReport.write(tmp, sample(), run, new SearchReport.Cost(1234, 5.5));
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertEquals(SearchReport.SCHEMA_VERSION, s.get("schemaVersion").asInt());
        assertEquals("arc_easy", s.at("/run/task").asText());
        assertEquals(4, s.at("/search/numLayers").asInt());
        assertEquals(0.08, s.at("/search/epsilon").asDouble(), 1e-12);
        assertEquals(100, s.at("/search/splits/test").asInt());
        assertEquals("below_floor", s.get("stopReason").asText());
        assertEquals("[]", s.at("/baseline/removed").toString());
        assertEquals("[0]", s.at("/best/removed").toString());
        assertEquals("[0]", s.at("/bsba/removed").toString());
        assertEquals("[0,1]", s.at("/final/removed").toString());
        assertEquals(2, s.at("/final/layersKept").asInt());
        assertEquals(2.0, s.at("/final/estimatedSpeedup").asDouble(), 1e-12);
        assertEquals(0.76, s.at("/final/search/accuracy").asDouble(), 1e-12);
        assertEquals(0.50, s.at("/final/test/accuracy").asDouble(), 1e-12);
        assertTrue(s.at("/final/select").isNull());
        assertEquals(3, s.get("rounds").size());
        assertEquals(4, s.at("/rounds/0/candidates").size());
        assertEquals(1234, s.at("/cost/layerForwards").asLong());
    }

    @Test
    void trajectoryCsvHasEveryCandidate() throws Exception {
        SearchReport.write(tmp, sample(), Map.of(), new SearchReport.Cost(0, 0));
        List<String> lines = Files.readAllLines(tmp.resolve("trajectory.csv"));
        assertEquals("round,layer,score,accepted", lines.get(0));
        assertEquals(1 + 4 + 3 + 2, lines.size());
        assertEquals("1,0,0.85,true", lines.get(1));
        assertEquals("1,1,0.1,false", lines.get(2));
        assertEquals("3,2,0.1,false", lines.get(8));
    }

    @Test
    void tableShowsTheFourConfigurations() {
        String table = SearchReport.table(sample());
        assertTrue(table.contains("final     0,1"), table);
        assertTrue(table.contains("2/4"), table);
        assertTrue(table.contains("0.5000"), table);
    }
}
