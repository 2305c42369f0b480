package tale.core.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.task.Example;

/** Runs a scorer over examples under one layer mask: prepare, start, run all layers, score, batch by batch. */
public final class Evaluator {

    /**
     * @param batchSize   at most this many examples per forward
     * @param batchTokens at most about this many padded tokens per forward (batch size x longest prompt)
     * @param progress    told the number of examples finished after each batch
     */
    public record Options(int batchSize, int batchTokens, IntConsumer progress) {

        public static final int DEFAULT_BATCH_SIZE = 16;
        public static final int DEFAULT_BATCH_TOKENS = 8192;

        public static Options defaults() {
            return new Options(DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS, n -> { });
        }

        public Options withBatchSize(int n) {
            return new Options(n, batchTokens, progress);
        }

        public Options withProgress(IntConsumer p) {
            return new Options(batchSize, batchTokens, p);
        }
    }

    private Evaluator() { }

    /** Scores {@code examples} under {@code mask}; results come back in the order of {@code examples}. */
    public static Evaluation evaluate(Model model, Scorer scorer, List<Example> examples, LayerMask mask, Options options) {
        if (examples.isEmpty()) throw new InputException("no examples to evaluate");
        if (examples.stream().map(Example::index).distinct().count() != examples.size()) {
            throw new IllegalArgumentException("examples with the same row index");
        }
        List<PreparedBatch> batches = scorer.prepareBatches(examples, options.batchSize(), options.batchTokens());
        Map<Integer, ExampleResult> byIndex = new HashMap<>();
        for (ExampleResult r : run(model, scorer, batches, mask, options.progress())) byIndex.put(r.index(), r);
        List<ExampleResult> ordered = new ArrayList<>(examples.size());
        for (Example e : examples) ordered.add(byIndex.get(e.index()));
        return new Evaluation(EvaluationSummary.of(scorer.task().name(), scorer.scoring(), ordered), ordered);
    }

    /** Scores already prepared batches under {@code mask}, in batch order (prepare once, run many masks). */
    public static List<ExampleResult> run(Model model, Scorer scorer, List<PreparedBatch> batches, LayerMask mask,
                                          IntConsumer progress) {
        if (mask.numLayers() != model.numLayers()) {
            throw new InputException("layer mask is for " + mask.numLayers() + " layers, the model has " + model.numLayers());
        }
        List<ExampleResult> out = new ArrayList<>();
        for (PreparedBatch batch : batches) {
            try (ForwardState state = model.start(batch.sequences())) {
                out.addAll(scorer.score(batch, state.runAll(mask)));
            }
            progress.accept(batch.size());
        }
        return out;
    }
}
