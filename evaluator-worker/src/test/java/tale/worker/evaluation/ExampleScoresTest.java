package tale.worker.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tale.core.scoring.ExampleResult;
import tale.core.search.ScoreResult;
import tale.messages.ExampleScore;

class ExampleScoresTest {

    @Test
    void everyFieldIsCarriedAndNoMarginIsNull() {
        ExampleResult withMargin = new ExampleResult(7, "B", "A", false, -0.25, false, null, "A");
        ExampleResult generated = new ExampleResult(3, "", "12", false, Double.NaN, true, "I think", null);
        assertEquals(new ExampleScore(7, "B", "A", false, -0.25, false), ExampleScores.of(withMargin));
        ExampleScore g = ExampleScores.of(generated);
        assertEquals(new ExampleScore(3, "", "12", false, null, true), g);
        assertNull(g.margin());
    }

    @Test
    void candidatesKeepTheirExampleOrder() {
        ExampleResult a = new ExampleResult(5, "x", "x", true, 1.5, false, null, null);
        ExampleResult b = new ExampleResult(2, "y", "x", false, -1.0, false, null, null);
        Map<Integer, List<ExampleScore>> scores = ExampleScores.of(new ScoreResult("u", Map.of(-1, List.of(a, b), 3, List.of(b, a))));
        assertEquals(List.of(5, 2), scores.get(-1).stream().map(ExampleScore::index).toList());
        assertEquals(List.of(2, 5), scores.get(3).stream().map(ExampleScore::index).toList());
        assertEquals(1.5, scores.get(3).get(1).margin());
    }
}
