package tale.core.search;

import java.util.ArrayList;
import java.util.List;

/**
 * How often a raced search picks the layer the exact search would pick. Each round of the raced search is
 * compared with the exact winner from the same removal set: taken from the exact search while the two
 * trajectories coincide, and computed by one exact round where they have diverged.
 */
public final class RacingAgreement {

    /** One raced round: its removal set before the round, the raced winner and the exact one. */
    public record RoundAgreement(int round, List<Integer> removedBefore, int racedWinner, int exactWinner) {

        public boolean same() {
            return racedWinner == exactWinner;
        }
    }

    private RacingAgreement() { }

    /**
     * @param raced     the raced search's result
     * @param exact     the exact search's result with the same settings but no racing
     * @param evaluator scores extra exact rounds where the trajectories diverged
     */
    public static List<RoundAgreement> compare(SearchResult raced, SearchResult exact, CandidateEvaluator evaluator) {
        List<RoundAgreement> out = new ArrayList<>();
        for (SearchState.Round r : raced.rounds()) {
            Integer winner = exact.rounds().stream().filter(e -> e.removedBefore().equals(r.removedBefore()))
                    .map(SearchState.Round::winner).findFirst().orElse(null);
            if (winner == null) winner = exactWinner(exact.config(), r.removedBefore(), evaluator);
            out.add(new RoundAgreement(r.round(), r.removedBefore(), r.winner(), winner));
        }
        return out;
    }

    /** The winner of one exact round from {@code removed} (a search started there, stopped after one round). */
    static int exactWinner(SearchConfig config, List<Integer> removed, CandidateEvaluator evaluator) {
        SearchConfig one = new SearchConfig(config.numLayers(), Double.MAX_VALUE, removed.size() + 1, config.objective(),
                removed, config.searchSize(), 0, 0, false, Racing.OFF, config.shardSize());
        SearchState s = SearchState.start(one);
        while (!s.finished()) s = s.accept(evaluator.evaluate(s.pendingRequests().get(0)));
        return s.rounds().get(0).winner();
    }
}
