package tale.core.search;

/** Drives a search to the end in this process: asks, evaluates, accepts, until the state is finished. */
public final class SearchRunner {

    /** Hooks for progress reporting; every method is optional. */
    public interface Listener {

        /** A request is about to be evaluated. */
        default void requestStarted(SearchState state, ScoreRequest request) { }

        /** A round has been decided. */
        default void roundFinished(SearchState state, SearchState.Round round) { }

        /** A step begins: its requests are all pending (a new phase, round, or racing shard). */
        default void stepStarted(SearchState state) { }
    }

    private SearchRunner() { }

    public static SearchState run(SearchState state, CandidateEvaluator evaluator, Listener listener) {
        while (!state.finished()) {
            if (state.received().isEmpty()) listener.stepStarted(state);
            ScoreRequest request = state.pendingRequests().get(0);
            listener.requestStarted(state, request);
            SearchState next = state.accept(evaluator.evaluate(request));
            if (next.rounds().size() > state.rounds().size()) {
                listener.roundFinished(next, next.rounds().get(next.rounds().size() - 1));
            }
            state = next;
        }
        return state;
    }

    public static SearchResult run(SearchConfig config, CandidateEvaluator evaluator, Listener listener) {
        return run(SearchState.start(config), evaluator, listener).result();
    }
}
