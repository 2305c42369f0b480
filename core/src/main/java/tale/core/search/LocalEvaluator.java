package tale.core.search;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.scoring.Evaluator;
import tale.core.scoring.ExampleResult;
import tale.core.scoring.PreparedBatch;
import tale.core.scoring.Scorer;
import tale.core.task.Example;
import tale.core.task.Split;

/**
 * Scores search requests with a model in this process, batch by batch, through the task's {@link Scorer}
 * (batches of similar length, prepared once per example range and reused by every round).
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
 * mode and is not. Not thread-safe: one search at a time.
 *
 * <p>A {@link BoundaryListener} sees the shared main state at each layer boundary it passes, so that a layer
 * analysis reads hidden states and early exits from the same forward that scores the candidates.
 */
public final class LocalEvaluator implements CandidateEvaluator {

    /**
     * @param prefixReuse share each batch's forward prefix between candidates
     * @param batchSize   at most this many examples per forward
     * @param batchTokens at most about this many padded tokens per forward
     */
    public record Options(boolean prefixReuse, int batchSize, int batchTokens) {

        /** Prefix reuse and the evaluator's default batches. */
        public static final Options FAST = new Options(true, Evaluator.Options.DEFAULT_BATCH_SIZE,
                Evaluator.Options.DEFAULT_BATCH_TOKENS);
        /** The reference cost: no sharing, one example at a time. */
        public static final Options NAIVE = new Options(false, 1, Evaluator.Options.DEFAULT_BATCH_TOKENS);

        public Options {
            if (batchSize < 1) throw new InputException("--batch-size must be at least 1, got " + batchSize);
            if (batchTokens < 1) throw new InputException("--batch-tokens must be at least 1, got " + batchTokens);
        }
    }

    /** Sees each batch's main state (prefix reuse only) at the layer boundaries it passes. */
    public interface BoundaryListener {
        /**
         * The main state of {@code batch} holds the residual stream entering layer {@code boundary} ({@code
         * numLayers}: after the last layer). Fork it to score or decode; never advance it.
         */
        void atBoundary(PreparedBatch batch, int boundary, ForwardState main);
    }

    private final Model model;
    private final Scorer scorer;
    private final Map<Split, List<Example>> splits;
    private final Options options;
    private final LongConsumer progress;
    private final BoundaryListener boundaries;
    private final Map<String, List<PreparedBatch>> prepared = new HashMap<>();
    private long layerForwards;

    /**
     * @param splits   the examples of each split, in the order request positions refer to
     * @param progress told the number of (example, candidate) pairs scored after each batch
     */
    public LocalEvaluator(Model model, Scorer scorer, Map<Split, List<Example>> splits, Options options,
                          LongConsumer progress) {
        this(model, scorer, splits, options, progress, null);
    }

    /**
     * @param boundaries told of the main state at every boundary of the request's active layers, and after the
     *                   last layer, when the request includes {@link ScoreRequest#AS_IS} (without it the pass ends
     *                   at the last candidate); needs prefix reuse
     */
    public LocalEvaluator(Model model, Scorer scorer, Map<Split, List<Example>> splits, Options options,
                          LongConsumer progress, BoundaryListener boundaries) {
        if (boundaries != null && !options.prefixReuse()) {
            throw new IllegalArgumentException("a boundary listener needs prefix reuse (one shared pass per batch)");
        }
        this.boundaries = boundaries;
        this.model = model;
        this.scorer = scorer;
        this.splits = Map.copyOf(splits);
        this.options = options;
        this.progress = progress;
    }

    public LocalEvaluator(Model model, Scorer scorer, Map<Split, List<Example>> splits, Options options) {
        this(model, scorer, splits, options, n -> { });
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
        List<Example> examples = examples(request);
        Map<Integer, Map<Integer, ExampleResult>> byIndex = new LinkedHashMap<>();
        candidates.forEach(c -> byIndex.put(c, new HashMap<>()));
        for (PreparedBatch batch : batches(request, examples)) {
            Map<Integer, List<ExampleResult>> scored = options.prefixReuse()
                    ? withPrefixReuse(batch, mask, candidates) : fromScratch(batch, mask, candidates);
            scored.forEach((c, rs) -> rs.forEach(r -> byIndex.get(c).put(r.index(), r)));
            progress.accept((long) batch.size() * candidates.size());
        }
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        byIndex.forEach((c, m) -> out.put(c, examples.stream().map(e -> m.get(e.index())).toList()));
        return new ScoreResult(request.id(), out);
    }

    private List<Example> examples(ScoreRequest request) {
        List<Example> all = splits.get(request.split());
        if (all == null || request.to() > all.size()) {
            throw new IllegalArgumentException("request " + request.id() + " asks for examples " + request.from() + "-"
                    + request.to() + " of split " + request.split() + ", which has " + (all == null ? 0 : all.size()));
        }
        return all.subList(request.from(), request.to());
    }

    /** The request's examples tokenized in batches of similar length, once per example range. */
    private List<PreparedBatch> batches(ScoreRequest request, List<Example> examples) {
        return prepared.computeIfAbsent(request.split() + "/" + request.from() + "-" + request.to(),
                k -> scorer.prepareBatches(examples, options.batchSize(), options.batchTokens()));
    }

    private Map<Integer, List<ExampleResult>> withPrefixReuse(PreparedBatch batch, LayerMask mask,
                                                              TreeSet<Integer> candidates) {
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        boolean asIs = candidates.contains(ScoreRequest.AS_IS);
        int lastCandidate = candidates.last();
        try (ForwardState main = model.start(batch.sequences())) {
            for (int l : mask.active()) {
                if (boundaries != null) boundaries.atBoundary(batch, l, main);
                if (candidates.contains(l)) {
                    try (ForwardState fork = main.fork()) {
                        fork.skipTo(l + 1);
                        runRest(fork, mask);
                        out.put(l, scorer.score(batch, fork));
                    }
                }
                if (!asIs && l >= lastCandidate) break; // nothing after l needs the main state
                run(main, l);
            }
            if (asIs) {
                main.skipTo(model.numLayers());
                if (boundaries != null) boundaries.atBoundary(batch, model.numLayers(), main);
                out.put(ScoreRequest.AS_IS, scorer.score(batch, main));
            }
        }
        return out;
    }

    private Map<Integer, List<ExampleResult>> fromScratch(PreparedBatch batch, LayerMask mask,
                                                          TreeSet<Integer> candidates) {
        Map<Integer, List<ExampleResult>> out = new LinkedHashMap<>();
        for (int c : candidates) {
            LayerMask m = c == ScoreRequest.AS_IS ? mask : mask.without(c);
            out.put(c, Evaluator.run(model, scorer, List.of(batch), m, n -> { }));
            layerForwards += (long) batch.size() * m.activeCount();
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
