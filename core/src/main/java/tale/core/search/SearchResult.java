package tale.core.search;

import java.util.List;

/**
 * The outcome of a finished search.
 *
 * @param config     the settings it ran with
 * @param floor      baseline accuracy - epsilon on the search split
 * @param baseline   the full model
 * @param best       the highest accuracy (earliest on ties, the baseline included)
 * @param bsba       the last configuration at least as accurate as the baseline
 * @param last       Final: the last accepted configuration
 * @param chain      every accepted configuration in order, the baseline first
 * @param rounds     every round with every candidate's measure
 * @param stopReason why the rounds ended
 */
public record SearchResult(SearchConfig config, double floor, Reported baseline, Reported best, Reported bsba,
                           Reported last, List<Reported> chain, List<SearchState.Round> rounds,
                           SearchState.StopReason stopReason) {

    /**
     * One configuration with its measures on each split.
     *
     * @param round      the round that accepted it (0: baseline or initial configuration)
     * @param removed    removed layers, 0-indexed, ascending
     * @param layersKept layers that still run
     * @param search     measure on the search split
     * @param select     measure on the select split (null unless chosen on it)
     * @param test       measure on the held-out test split (null when that split is empty)
     */
    public record Reported(int round, List<Integer> removed, int layersKept, Measure search, Measure select,
                           Measure test) {

        /**
         * Estimated decode speed-up L / (L - k): decoding is memory-bound and every layer costs about the same,
         * so time per token scales with the layers kept (embedding and head are ignored). Null when no layer is
         * kept. The measured speed-up comes from the model server.
         */
        public Double estimatedSpeedup() {
            return layersKept == 0 ? null : (double) (layersKept + removed.size()) / layersKept;
        }
    }

    /** One line of the trajectory: a candidate's score (by the objective) in a round, and whether it won and was accepted. */
    public record Step(int round, int layer, double score, boolean accepted) { }

    public List<Step> trajectory() {
        return rounds.stream().flatMap(r -> r.candidates().stream().map(c -> new Step(r.round(), c.layer(),
                c.measure().score(config.objective()), r.accepted() && r.winner() == c.layer()))).toList();
    }

    /**
     * Where this trajectory departs from {@code other}'s: a different round count, candidate, winner, acceptance or
     * number correct, or a score further apart than {@code scoreTolerance}. Empty when they agree.
     */
    public List<String> trajectoryDifferences(SearchResult other, double scoreTolerance) {
        List<String> out = new java.util.ArrayList<>();
        if (rounds.size() != other.rounds.size()) out.add(rounds.size() + " rounds against " + other.rounds.size());
        for (int i = 0; i < Math.min(rounds.size(), other.rounds.size()); i++) {
            SearchState.Round a = rounds.get(i), b = other.rounds.get(i);
            if (a.winner() != b.winner() || a.accepted() != b.accepted()) {
                out.add("round " + a.round() + ": winner " + a.winner() + (a.accepted() ? " accepted" : " rejected")
                        + " against " + b.winner() + (b.accepted() ? " accepted" : " rejected"));
            }
            if (a.candidates().size() != b.candidates().size()) {
                out.add("round " + a.round() + ": " + a.candidates().size() + " candidates against " + b.candidates().size());
                continue;
            }
            for (int j = 0; j < a.candidates().size(); j++) {
                SearchState.Candidate x = a.candidates().get(j), y = b.candidates().get(j);
                double dx = x.measure().score(config.objective()), dy = y.measure().score(other.config.objective());
                if (x.layer() != y.layer() || x.measure().correct() != y.measure().correct()
                        || x.measure().examples() != y.measure().examples() || Math.abs(dx - dy) > scoreTolerance) {
                    out.add("round " + a.round() + ", layer " + x.layer() + ": " + x.measure() + " against " + y.measure());
                }
            }
        }
        return out;
    }
}
