package tale.core.scoring;

import java.util.List;

/**
 * Totals of one evaluation.
 *
 * @param accuracy   fraction correct (0 when n = 0)
 * @param invalid    examples whose output held no parsable answer
 * @param meanMargin mean margin over examples that have one; NaN when none do
 * @param accNorm    length-normalized accuracy in loglik mode; NaN otherwise
 */
public record EvaluationSummary(String task, Scoring scoring, int n, double accuracy, int invalid, double meanMargin,
                                double accNorm) {

    public static EvaluationSummary of(String task, Scoring scoring, List<ExampleResult> results) {
        int n = results.size(), correct = 0, invalid = 0, withMargin = 0, correctNorm = 0;
        double marginSum = 0;
        for (ExampleResult r : results) {
            if (r.correct()) correct++;
            if (r.invalid()) invalid++;
            if (r.correctNorm()) correctNorm++;
            if (!Double.isNaN(r.margin())) {
                marginSum += r.margin();
                withMargin++;
            }
        }
        return new EvaluationSummary(task, scoring, n, n == 0 ? 0 : (double) correct / n, invalid,
                withMargin == 0 ? Double.NaN : marginSum / withMargin,
                scoring == Scoring.LOGLIK && n > 0 ? (double) correctNorm / n : Double.NaN);
    }
}
