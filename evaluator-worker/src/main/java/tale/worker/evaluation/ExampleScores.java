package tale.worker.evaluation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tale.core.scoring.ExampleResult;
import tale.core.search.ScoreResult;
import tale.messages.ExampleScore;

/** Core's per-example results as the scores a {@code UnitResult} carries (no generated text; no margin is null). */
public final class ExampleScores {

    private ExampleScores() { }

    public static ExampleScore of(ExampleResult r) {
        return new ExampleScore(r.index(), r.prediction(), r.gold(), r.correct(),
                Double.isNaN(r.margin()) ? null : r.margin(), r.invalid());
    }

    /** Candidate layer to scores, in the result's example order. */
    public static Map<Integer, List<ExampleScore>> of(ScoreResult result) {
        Map<Integer, List<ExampleScore>> out = new LinkedHashMap<>();
        result.scores().forEach((candidate, rs) -> out.put(candidate, rs.stream().map(ExampleScores::of).toList()));
        return out;
    }
}
