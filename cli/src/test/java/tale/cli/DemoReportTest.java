package tale.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's table from a job summary (summary.json's shape) and measured times. */
class DemoReportTest {

    private static JsonNode summary() throws Exception {
        String conf = "{\"round\":%d,\"removed\":%s,\"layersKept\":%d,\"search\":{\"accuracy\":%s},\"test\":{\"accuracy\":%s}}";
        return new ObjectMapper().readTree("{\"search\":{\"numLayers\":8},\"floor\":0.888,\"stopReason\":\"below_floor\","
                + "\"baseline\":" + String.format(conf, 0, "[]", 8, "0.968", "0.9839")
                + ",\"best\":" + String.format(conf, 1, "[7]", 7, "0.972", "0.97")
                + ",\"bsba\":" + String.format(conf, 1, "[7]", 7, "0.972", "0.97")
                + ",\"final\":" + String.format(conf, 2, "[3,7]", 6, "0.936", "0.9516") + "}");
    }

    @Test
    void tableShowsEachConfigurationWithIdealAndMeasuredSpeedUp() throws Exception {
        JsonNode s = summary();
        assertEquals(List.of(List.of(), List.of(7), List.of(7), List.of(3, 7)), DemoReport.removals(s));
        String table = DemoReport.table(s, Map.of(List.of(), 2.0, List.of(7), 1.6, List.of(3, 7), 1.0));
        String[] lines = table.split("\n");
        assertTrue(lines[1].matches("baseline +- +8/8 +0\\.9680 +0\\.9839 +1\\.00x +1\\.00x"), lines[1]);
        assertTrue(lines[2].matches("best +7 +7/8 +0\\.9720 +0\\.9700 +1\\.14x +1\\.25x"), lines[2]);
        assertTrue(lines[4].matches("final +3,7 +6/8 +0\\.9360 +0\\.9516 +1\\.33x +2\\.00x"), lines[4]);
        assertTrue(lines[5].startsWith("floor 0.8880 (baseline - epsilon); stopped: below floor"), lines[5]);
    }

    @Test
    void withoutAMeasurementTheColumnSaysSo() throws Exception {
        String table = DemoReport.table(summary(), Map.of());
        assertTrue(table.split("\n")[4].endsWith(" -"), table);
    }
}
