package tale.results.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import tale.results.FinishedJob;

class BestConfigurationsTest {

    /** FinishedJob's summary with Best and BSBA replaced. */
    private static JsonNode summary(List<Integer> best, double bestAccuracy, List<Integer> bsba, double bsbaAccuracy) {
        ObjectNode s = FinishedJob.JSON.valueToTree(FinishedJob.summary());
        s.set("best", configuration(best, bestAccuracy));
        s.set("bsba", configuration(bsba, bsbaAccuracy));
        return s;
    }

    private static JsonNode configuration(List<Integer> removed, double accuracy) {
        ObjectNode c = FinishedJob.JSON.createObjectNode();
        c.put("round", removed.size());
        c.set("removed", FinishedJob.JSON.valueToTree(removed));
        c.putObject("search").put("accuracy", accuracy);
        c.putNull("test");
        return c;
    }

    @Test
    void groupsByModelAndTaskAndBreaksTiesByDepthThenAccuracy() {
        List<BestConfigurations.Group> groups = BestConfigurations.of(List.of(
                new BestConfigurations.JobSummary("a", "m", "boolq", summary(List.of(4), 0.74, List.of(2, 4), 0.71)),
                new BestConfigurations.JobSummary("b", "m", "boolq", summary(List.of(3, 5), 0.74, List.of(1, 3, 5), 0.70)),
                new BestConfigurations.JobSummary("c", "m", "boolq", summary(List.of(0), 0.73, List.of(0, 6, 7), 0.72)),
                new BestConfigurations.JobSummary("d", "m", "arc_easy", summary(List.of(1), 0.50, List.of(), 0.40))));

        assertEquals(2, groups.size());
        assertEquals("arc_easy", groups.get(0).task());
        BestConfigurations.Group boolq = groups.get(1);
        assertEquals(3, boolq.jobs());
        // a and b tie at 0.74; b removes more layers.
        assertEquals("b", boolq.highestAccuracy().jobId());
        assertEquals(List.of(3, 5), boolq.highestAccuracy().configuration().removed());
        // b and c both remove three layers at or above their baselines; c is more accurate.
        assertEquals("c", boolq.deepestAtBaseline().jobId());
        assertEquals(3, boolq.deepestAtBaseline().configuration().layersRemoved());
    }
}
