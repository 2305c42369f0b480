package tale.core.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import tale.core.scoring.ExampleResult;
import tale.core.task.Split;

/**
 * The layer search as an immutable state machine that does not care where scores come from. A driver asks
 * {@link #pendingRequests()}, has them scored by any {@link CandidateEvaluator}, and feeds each answer to
 * {@link #accept}, which returns the next state. Every field is plain data (Jackson serializes and restores
 * it), so a service can persist the state after each answer and resume after a restart.
 *
 * <p>Reference semantics (the paper's greedy elimination): the baseline is the full model on the search split;
 * the floor is baseline accuracy - epsilon. Each round every remaining layer is a candidate; the best by the
 * objective wins, ties going to the lowest layer index; it is accepted if its accuracy is at least the floor
 * (with a 1e-12 tolerance, so decimal epsilons behave as written). The search stops when the winner falls below
 * the floor, when {@code maxRemoved} layers are gone, or when no layer is left. An initial removal set is the
 * starting configuration of the first round; it is scored and counts as accepted.
 *
 * <p>Phases: BASELINE (score the full model, and the initial configuration if any) -> ROUND (one or, with
 * racing, several steps per round) -> SELECT (only with selectOnSelect: every accepted configuration on the
 * select split) -> TEST (baseline, Best, BSBA and Final on the test split, if it is not empty) -> DONE. Each step
 * issues all its requests at once; the next step starts when every one of them is answered. Answers to
 * requests that are not pending (repeats, late duplicates) are ignored, so at-least-once delivery is safe.
 *
 * @param config       the search's settings
 * @param phase        where the search is
 * @param removed      the current (last accepted) removal set, ascending
 * @param chain        configurations scored on the search split: the baseline, the initial configuration if
 *                     any, then each accepted round's
 * @param rounds       finished rounds, with every candidate's measure
 * @param race         the round in progress (ROUND phase only)
 * @param pending      the current step's requests
 * @param received     answers so far to the current step's requests, by request id
 * @param selectScores select-split measures by removal key (SELECT phase onwards)
 * @param testScores   test-split measures by removal key (DONE)
 * @param stopReason   why the rounds ended (null while they run)
 */
public record SearchState(SearchConfig config, Phase phase, List<Integer> removed, List<Configuration> chain,
                          List<Round> rounds, Race race, List<ScoreRequest> pending,
                          Map<String, Map<Integer, Outcomes>> received, Map<String, Measure> selectScores,
                          Map<String, Measure> testScores, StopReason stopReason) {

    /** Tolerance of the floor comparison. */
    static final double FLOOR_TOLERANCE = 1e-12;

    public enum Phase { BASELINE, ROUND, SELECT, TEST, DONE }

    public enum StopReason { BELOW_FLOOR, MAX_REMOVED, NO_LAYER_LEFT }

    /** A configuration on the search split; round 0 for the baseline and the initial configuration. */
    public record Configuration(int round, List<Integer> removed, Measure search) { }

    /** One candidate of a finished round; a dropped (raced-out) candidate's measure covers fewer examples. */
    public record Candidate(int layer, Measure measure, boolean dropped) { }

    /** A finished round: every candidate, the winner, and whether it was accepted. */
    public record Round(int round, List<Integer> removedBefore, List<Candidate> candidates, int winner,
                        boolean accepted) {

        public Candidate candidate(int layer) {
            return candidates.stream().filter(c -> c.layer() == layer).findFirst().orElseThrow();
        }
    }

    /**
     * A round in progress: the candidates still in the race and every candidate's per-example outcomes so far.
     *
     * @param z the normal quantile of racing's bound for this round (NaN without racing)
     */
    public record Race(int round, List<Integer> candidates, List<Integer> survivors, Map<Integer, Outcomes> outcomes,
                       double z) {

        int scored() {
            return outcomes.get(survivors.get(0)).size();
        }
    }

    /** Per-example correctness and margin of one configuration, in example order. */
    public record Outcomes(boolean[] correct, double[] margin) {

        static Outcomes of(List<ExampleResult> results) {
            boolean[] c = new boolean[results.size()];
            double[] m = new double[results.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = results.get(i).correct();
                m[i] = results.get(i).margin();
            }
            return new Outcomes(c, m);
        }

        static Outcomes concat(List<Outcomes> parts) {
            int n = parts.stream().mapToInt(Outcomes::size).sum(), k = 0;
            boolean[] c = new boolean[n];
            double[] m = new double[n];
            for (Outcomes p : parts) {
                System.arraycopy(p.correct, 0, c, k, p.size());
                System.arraycopy(p.margin, 0, m, k, p.size());
                k += p.size();
            }
            return new Outcomes(c, m);
        }

        int size() {
            return correct.length;
        }

        Measure measure() {
            int right = 0;
            double sum = 0;
            for (int i = 0; i < correct.length; i++) {
                if (correct[i]) right++;
                sum += margin[i];
            }
            return new Measure(correct.length, right, sum);
        }

        /** What the objective counts per example: 1/0 for accuracy, the margin for margin. */
        double[] values(Objective objective) {
            return objective == Objective.MARGIN ? margin.clone()
                    : IntStream.range(0, correct.length).mapToDouble(i -> correct[i] ? 1 : 0).toArray();
        }
    }

    /** The state of a new search: its first step scores the baseline. */
    public static SearchState start(SearchConfig config) {
        List<ScoreRequest> requests = new ArrayList<>(requests(config, Split.SEARCH, 0, List.of(),
                List.of(ScoreRequest.AS_IS), 0, config.searchSize()));
        if (!config.initialRemoved().isEmpty()) {
            requests.addAll(requests(config, Split.SEARCH, 0, config.initialRemoved(), List.of(ScoreRequest.AS_IS), 0,
                    config.searchSize()));
        }
        return new SearchState(config, Phase.BASELINE, config.initialRemoved(), List.of(), List.of(), null, requests,
                Map.of(), Map.of(), Map.of(), null);
    }

    /** Requests of the current step that have no answer yet (empty once DONE). */
    public List<ScoreRequest> pendingRequests() {
        return pending.stream().filter(r -> !received.containsKey(r.id())).toList();
    }

    public boolean finished() {
        return phase == Phase.DONE;
    }

    /** The round being scored (0 outside the ROUND phase). */
    public int currentRound() {
        return race == null ? 0 : race.round();
    }

    /** The baseline's accuracy minus epsilon (NaN before the baseline is scored). */
    public double floor() {
        return chain.isEmpty() ? Double.NaN : chain.get(0).search().accuracy() - config.epsilon();
    }

    /**
     * The state after an answer. An answer to a request that is not pending is ignored (the same state comes
     * back); an answer that does not match its request (other candidates, another number of examples, examples
     * in different order between candidates) is an {@link IllegalArgumentException}.
     */
    public SearchState accept(ScoreResult result) {
        ScoreRequest request = pending.stream().filter(r -> r.id().equals(result.requestId())).findFirst().orElse(null);
        if (request == null || received.containsKey(request.id())) return this;
        Map<String, Map<Integer, Outcomes>> got = new LinkedHashMap<>(received);
        got.put(request.id(), check(request, result));
        SearchState next = new SearchState(config, phase, removed, chain, rounds, race, pending, got, selectScores,
                testScores, stopReason);
        return got.size() == pending.size() ? next.advance() : next;
    }

    private Map<Integer, Outcomes> check(ScoreRequest request, ScoreResult result) {
        if (!new TreeSet<>(result.scores().keySet()).equals(new TreeSet<>(request.candidates()))) {
            throw new IllegalArgumentException("answer to " + request.id() + " scores candidates "
                    + new TreeSet<>(result.scores().keySet()) + ", the request asked for " + request.candidates());
        }
        int[] indices = null;
        Map<Integer, Outcomes> out = new LinkedHashMap<>();
        for (int candidate : request.candidates()) {
            List<ExampleResult> rs = result.scores().get(candidate);
            if (rs.size() != request.size()) {
                throw new IllegalArgumentException("answer to " + request.id() + ": candidate " + candidate + " has "
                        + rs.size() + " results for " + request.size() + " examples");
            }
            int[] idx = rs.stream().mapToInt(ExampleResult::index).toArray();
            if (indices != null && !Arrays.equals(indices, idx)) {
                throw new IllegalArgumentException("answer to " + request.id() + ": candidates scored different examples");
            }
            indices = idx;
            if (phase == Phase.ROUND && config.objective() == Objective.MARGIN
                    && rs.stream().anyMatch(r -> !Double.isFinite(r.margin()))) {
                throw new IllegalArgumentException("the margin objective needs a margin for every example; the answer to "
                        + request.id() + " lacks some (use loglik or margin scoring)");
            }
            out.put(candidate, Outcomes.of(rs));
        }
        return out;
    }

    /** The current step is fully answered: move on. */
    private SearchState advance() {
        Map<String, Map<Integer, Outcomes>> byConfig = mergeStep();
        return switch (phase) {
            case BASELINE -> afterBaseline(byConfig);
            case ROUND -> afterRoundStep(byConfig.get(key(removed)));
            case SELECT -> afterSelect(byConfig);
            case TEST -> new SearchState(config, Phase.DONE, removed, chain, rounds, null, List.of(), Map.of(),
                    selectScores, asIsMeasures(byConfig), stopReason);
            case DONE -> throw new IllegalStateException("the search is finished");
        };
    }

    /** The step's answers joined per configuration and candidate, in example order. */
    private Map<String, Map<Integer, Outcomes>> mergeStep() {
        Map<String, Map<Integer, List<Outcomes>>> parts = new LinkedHashMap<>();
        pending.stream().sorted(Comparator.comparingInt(ScoreRequest::from)).forEach(r -> {
            Map<Integer, List<Outcomes>> perCandidate = parts.computeIfAbsent(key(r.removed()), k -> new LinkedHashMap<>());
            received.get(r.id()).forEach((c, o) -> perCandidate.computeIfAbsent(c, x -> new ArrayList<>()).add(o));
        });
        Map<String, Map<Integer, Outcomes>> out = new LinkedHashMap<>();
        parts.forEach((k, m) -> {
            Map<Integer, Outcomes> joined = new LinkedHashMap<>();
            m.forEach((c, list) -> joined.put(c, Outcomes.concat(list)));
            out.put(k, joined);
        });
        return out;
    }

    private static Map<String, Measure> asIsMeasures(Map<String, Map<Integer, Outcomes>> byConfig) {
        Map<String, Measure> out = new LinkedHashMap<>();
        byConfig.forEach((k, m) -> out.put(k, m.get(ScoreRequest.AS_IS).measure()));
        return out;
    }

    private SearchState afterBaseline(Map<String, Map<Integer, Outcomes>> byConfig) {
        List<Configuration> c = new ArrayList<>();
        c.add(new Configuration(0, List.of(), byConfig.get(key(List.of())).get(ScoreRequest.AS_IS).measure()));
        if (!config.initialRemoved().isEmpty()) {
            c.add(new Configuration(0, config.initialRemoved(),
                    byConfig.get(key(config.initialRemoved())).get(ScoreRequest.AS_IS).measure()));
        }
        return new SearchState(config, Phase.ROUND, removed, List.copyOf(c), rounds, null, List.of(), Map.of(),
                Map.of(), Map.of(), null).nextRoundOrStop();
    }

    /** Starts the next round, or stops when the removal budget is spent or no layer is left. */
    private SearchState nextRoundOrStop() {
        if (removed.size() == config.numLayers()) return stop(StopReason.NO_LAYER_LEFT);
        if (removed.size() >= config.maxRemoved()) return stop(StopReason.MAX_REMOVED);
        int round = rounds.size() + 1;
        List<Integer> candidates = IntStream.range(0, config.numLayers()).filter(l -> !removed.contains(l)).boxed().toList();
        int checks = config.racing().checkpoints(config.searchSize()).length;
        double z = config.racing().enabled() ? config.racing().z(candidates.size() - 1, checks) : Double.NaN;
        Race r = new Race(round, candidates, candidates, Map.of(), z);
        return new SearchState(config, Phase.ROUND, removed, chain, rounds, r,
                requests(config, Split.SEARCH, round, removed, candidates, 0, nextCheck(0, candidates.size())), Map.of(),
                Map.of(), Map.of(), null);
    }

    /** Where the step starting at {@code scored} examples ends: the next racing check, or the whole split. */
    private int nextCheck(int scored, int survivors) {
        if (survivors > 1) {
            for (int cp : config.racing().checkpoints(config.searchSize())) if (cp > scored) return cp;
        }
        return config.searchSize();
    }

    private SearchState afterRoundStep(Map<Integer, Outcomes> step) {
        Map<Integer, Outcomes> outcomes = new LinkedHashMap<>(race.outcomes());
        for (int c : race.survivors()) {
            Outcomes before = outcomes.get(c);
            outcomes.put(c, before == null ? step.get(c) : Outcomes.concat(List.of(before, step.get(c))));
        }
        Race r = new Race(race.round(), race.candidates(), race.survivors(), Map.copyOf(outcomes), race.z());
        int scored = r.scored();
        if (scored == config.searchSize()) return finishRound(r);
        List<Integer> survivors = survivors(r, scored);
        Race raced = new Race(r.round(), r.candidates(), survivors, r.outcomes(), r.z());
        return new SearchState(config, Phase.ROUND, removed, chain, rounds, raced,
                requests(config, Split.SEARCH, r.round(), removed, survivors, scored, nextCheck(scored, survivors.size())),
                Map.of(), Map.of(), Map.of(), null);
    }

    /** Racing: the candidates not shown to be behind the leader on the first {@code n} examples. */
    private List<Integer> survivors(Race r, int n) {
        int leader = best(r.survivors(), c -> r.outcomes().get(c).measure());
        double[] lead = r.outcomes().get(leader).values(config.objective());
        return r.survivors().stream()
                .filter(c -> c == leader || !Racing.behind(lead, r.outcomes().get(c).values(config.objective()), n, r.z()))
                .toList();
    }

    /** The candidate with the highest objective; ties go to the lowest layer (candidates are ascending). */
    private int best(List<Integer> candidates, java.util.function.IntFunction<Measure> measure) {
        int winner = candidates.get(0);
        double top = measure.apply(winner).score(config.objective());
        for (int c : candidates) {
            double s = measure.apply(c).score(config.objective());
            if (s > top) {
                top = s;
                winner = c;
            }
        }
        return winner;
    }

    private SearchState finishRound(Race r) {
        int winner = best(r.survivors(), c -> r.outcomes().get(c).measure());
        Measure won = r.outcomes().get(winner).measure();
        boolean accepted = won.accuracy() >= floor() - FLOOR_TOLERANCE;
        List<Candidate> candidates = r.candidates().stream()
                .map(c -> new Candidate(c, r.outcomes().get(c).measure(), !r.survivors().contains(c))).toList();
        List<Round> rs = append(rounds, new Round(r.round(), removed, candidates, winner, accepted));
        if (!accepted) {
            return new SearchState(config, Phase.ROUND, removed, chain, rs, null, List.of(), Map.of(), Map.of(), Map.of(),
                    null).stop(StopReason.BELOW_FLOOR);
        }
        List<Integer> now = List.copyOf(new TreeSet<>(append(removed, winner)));
        return new SearchState(config, Phase.ROUND, now, append(chain, new Configuration(r.round(), now, won)), rs, null,
                List.of(), Map.of(), Map.of(), Map.of(), null).nextRoundOrStop();
    }

    private SearchState stop(StopReason reason) {
        SearchState stopped = new SearchState(config, Phase.SELECT, removed, chain, rounds, null, List.of(), Map.of(),
                Map.of(), Map.of(), reason);
        if (!config.selectOnSelect()) return stopped.toTest(Map.of());
        List<ScoreRequest> requests = new ArrayList<>();
        for (List<Integer> r : distinct(chain.stream().map(Configuration::removed).toList())) {
            requests.addAll(requests(config, Split.SELECT, 0, r, List.of(ScoreRequest.AS_IS), 0, config.selectSize()));
        }
        return new SearchState(config, Phase.SELECT, removed, chain, rounds, null, requests, Map.of(), Map.of(),
                Map.of(), reason);
    }

    private SearchState afterSelect(Map<String, Map<Integer, Outcomes>> byConfig) {
        return toTest(asIsMeasures(byConfig));
    }

    private SearchState toTest(Map<String, Measure> select) {
        SearchState s = new SearchState(config, Phase.TEST, removed, chain, rounds, null, List.of(), Map.of(), select,
                Map.of(), stopReason);
        if (config.testSize() == 0) {
            return new SearchState(config, Phase.DONE, removed, chain, rounds, null, List.of(), Map.of(), select,
                    Map.of(), stopReason);
        }
        Picks p = s.picks();
        List<ScoreRequest> requests = new ArrayList<>();
        for (List<Integer> r : distinct(List.of(p.baseline.removed(), p.best.removed(), p.bsba.removed(),
                p.last.removed()))) {
            requests.addAll(requests(config, Split.TEST, 0, r, List.of(ScoreRequest.AS_IS), 0, config.testSize()));
        }
        return new SearchState(config, Phase.TEST, removed, chain, rounds, null, requests, Map.of(), select, Map.of(),
                stopReason);
    }

    private record Picks(Configuration baseline, Configuration best, Configuration bsba, Configuration last) { }

    /**
     * Best (highest accuracy, earliest on ties, the baseline included), BSBA (the last configuration of the
     * chain at least as accurate as the baseline) and Final (the last accepted), judged on the select split
     * when so configured, else on the search split.
     */
    private Picks picks() {
        java.util.function.Function<Configuration, Double> acc = config.selectOnSelect()
                ? c -> selectScores.get(key(c.removed())).accuracy()
                : c -> c.search().accuracy();
        Configuration base = chain.get(0), best = base, bsba = base;
        for (Configuration c : chain) {
            if (acc.apply(c) > acc.apply(best)) best = c;
            if (acc.apply(c) >= acc.apply(base)) bsba = c;
        }
        return new Picks(base, best, bsba, chain.get(chain.size() - 1));
    }

    /** The outcome of a finished search. */
    public SearchResult result() {
        if (phase != Phase.DONE) throw new IllegalStateException("the search is not finished (phase " + phase + ")");
        Picks p = picks();
        return new SearchResult(config, floor(), report(p.baseline), report(p.best), report(p.bsba), report(p.last),
                chain.stream().map(this::report).toList(), rounds, stopReason);
    }

    private SearchResult.Reported report(Configuration c) {
        String k = key(c.removed());
        return new SearchResult.Reported(c.round(), c.removed(), config.numLayers() - c.removed().size(), c.search(),
                selectScores.get(k), testScores.get(k));
    }

    /** A removal set as a map key and in request ids: "3,5", or "" for none. */
    static String key(List<Integer> removed) {
        return removed.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static List<List<Integer>> distinct(List<List<Integer>> sets) {
        return List.copyOf(new LinkedHashSet<>(sets));
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(item);
        return List.copyOf(out);
    }

    /** Requests covering examples [from, to) of a split, cut into shards of at most shardSize. */
    private static List<ScoreRequest> requests(SearchConfig config, Split split, int round, List<Integer> removed,
                                               List<Integer> candidates, int from, int to) {
        int shard = config.shardSize() > 0 ? config.shardSize() : to - from;
        String prefix = split + "/r" + round + "/" + (removed.isEmpty() ? "full" : "drop" + key(removed)) + "/";
        List<ScoreRequest> out = new ArrayList<>();
        for (int a = from; a < to; a += shard) {
            int b = Math.min(to, a + shard);
            out.add(new ScoreRequest(prefix + a + "-" + b, split, round, removed, candidates, a, b));
        }
        return List.copyOf(out);
    }
}
