package tale.core.search;

import java.util.List;
import java.util.Map;
import tale.core.scoring.ExampleResult;

/**
 * The answer to a {@link ScoreRequest}: for every candidate, one record per example in request order. The
 * search aggregates them itself (accuracy, mean margin, paired statistics); evaluators only score.
 *
 * @param requestId the request answered
 * @param scores    candidate layer (or {@link ScoreRequest#AS_IS}) to per-example results
 */
public record ScoreResult(String requestId, Map<Integer, List<ExampleResult>> scores) {

    public ScoreResult {
        scores = Map.copyOf(scores);
    }
}
