package tale.core.search;

/**
 * Scores what a search asks for. The local evaluator runs the model in this process; a distributed one sends
 * requests to workers. Implementations must be deterministic: the same request gives the same results.
 */
public interface CandidateEvaluator {

    ScoreResult evaluate(ScoreRequest request);
}
