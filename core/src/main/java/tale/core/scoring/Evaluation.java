package tale.core.scoring;

import java.util.List;

/** An evaluation's totals and its per-example results (in the order the examples were given). */
public record Evaluation(EvaluationSummary summary, List<ExampleResult> results) { }
