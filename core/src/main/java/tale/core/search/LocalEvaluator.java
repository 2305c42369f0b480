package tale.core.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.scoring.ExampleResult;

/**
 * Scores search requests with a model in this process, batch by batch.
 *
 * <p>With prefix reuse, one pass per batch walks the active layers of the request's configuration in order;
 * before running a candidate layer l it forks the state, skips l in the fork, runs the fork through the
 * remaining active layers, scores it and closes it; then the main state continues through l. The state entering
 * l is the same for "remove l" as for the configuration itself, so every candidate's per-example results equal
 * those of a pass from scratch with the same batches (bit for bit: the same operations run on the same
 * arrays). Without prefix reuse each candidate's configuration runs from scratch.
 *
 * <p>Cost is counted in <em>layer forwards</em>: one decoder layer applied to one example's prompt (a batch of
 * B examples through one layer counts B). Only the prompt prefill that this class runs is counted; what scoring
 * does after the last layer (answer continuations, decoded tokens) is the same for every candidate in every
 * mode and is not.
 */
public final class LocalEvaluator implements CandidateEvaluator {

    /**
     * @param prefixReuse share each batch's forward prefix between candidates
     * @param batchSize   examples per forward batch
     */
    public record Options(boolean prefixReuse, int batchSize) {

        public static final Options FAST = new Options(true, 16);
        /** The reference cost: no sharing, one example at a time. */
        public static final Options NAIVE = new Options(false, 1);

        public Options {
            if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
        }
    }

    private final Model model;
    private final BatchScoring scoring;
    private final Options options;
    private final LongConsumer progress;
    private long layerForwards;

    /**
     * @param progress told the number of (example, candidate) pairs scored after each batch
     */
    public LocalEvaluator(Model model, BatchScoring scoring, Options options, LongConsumer progress) {
        this.model = model;
        this.scoring = scoring;
        this.options = options;
        this.progress = progress;
    }

    public LocalEvaluator(Model model, BatchScoring scoring, Options options) {
        this(model, scoring, options, n -> { });
    }

    /** Layer forwards run so far (see the class comment). */
    public long layerForwards() {
        return layerForwards;
    }

    @Override
    public ScoreResult evaluate(ScoreRequest request) {
        int layers = model.numLayers();
        LayerMask mask = LayerMask.dropping(layers, request.removed());
        TreeSet<Integer> candidates = new TreeSet<>(request.candidates());
        for (int c : candidates) {
            if (c != ScoreRequest.AS_IS && (c < 0 || c >= layers || !mask.isActive(c))) {
                throw new IllegalArgumentException("request " + request.id() + ": candidate " + c + " is not an active layer");
            }
        }
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        candidates.forEach(c -> out.put(c, new ArrayList<>()));
        for (int from = request.from(); from < request.to(); from += options.batchSize()) {
            BatchScoring.Batch batch = scoring.prepare(request.split(), from, Math.min(request.to(), from + options.batchSize()));
            Map<Integer, List<ExampleResult>> scored = options.prefixReuse()
                    ? withPrefixReuse(batch, mask, candidates) : fromScratch(batch, mask, candidates);
            scored.forEach((c, rs) -> out.get(c).addAll(rs));
            progress.accept((long) batch.sequences().size() * candidates.size());
        }
        return new ScoreResult(request.id(), out);
    }

    private Map<Integer, List<ExampleResult>> withPrefixReuse(BatchScoring.Batch batch, LayerMask mask,
                                                              TreeSet<Integer> candidates) {
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        boolean asIs = candidates.contains(ScoreRequest.AS_IS);
        int lastCandidate = candidates.last();
        try (ForwardState main = model.start(batch.sequences())) {
            for (int l : mask.active()) {
                if (candidates.contains(l)) {
                    try (ForwardState fork = main.fork()) {
                        fork.skipTo(l + 1);
                        runRest(fork, mask);
                        out.put(l, scoring.score(batch, fork));
                    }
                }
                if (!asIs && l >= lastCandidate) break; // nothing after l needs the main state
                run(main, l);
            }
            if (asIs) {
                main.skipTo(model.numLayers());
                out.put(ScoreRequest.AS_IS, scoring.score(batch, main));
            }
        }
        return out;
    }

    private Map<Integer, List<ExampleResult>> fromScratch(BatchScoring.Batch batch, LayerMask mask,
                                                          TreeSet<Integer> candidates) {
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        for (int c : candidates) {
            try (ForwardState state = model.start(batch.sequences())) {
                runRest(state, c == ScoreRequest.AS_IS ? mask : mask.without(c));
                out.put(c, scoring.score(batch, state));
            }
        }
        return out;
    }

    /** Runs the active layers of {@code mask} from the state's boundary to the end. */
    private void runRest(ForwardState state, LayerMask mask) {
        for (int l = state.boundary(); l < model.numLayers(); l++) {
            if (mask.isActive(l)) run(state, l);
        }
        state.skipTo(model.numLayers());
    }

    private void run(ForwardState state, int layer) {
        state.runLayer(layer);
        layerForwards += state.batchSize();
    }
}
