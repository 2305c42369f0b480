package tale.core.analysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.Model;
import tale.core.scoring.EvaluationSummary;
import tale.core.scoring.ExampleResult;
import tale.core.scoring.PreparedBatch;
import tale.core.scoring.Scorer;
import tale.core.task.Example;
import tale.core.task.Split;
import tale.core.search.LocalEvaluator;
import tale.core.search.ScoreRequest;
import tale.core.search.ScoreResult;

/**
 * What each layer contributes to a task, from one forward per batch of examples. The {@link LocalEvaluator}
 * scores the full model and every single-layer removal (the search's first round, with prefix reuse); at each
 * layer boundary its shared pass stops by this class, which reads the last prompt token's residual stream (for
 * the mutual-information probe) and scores an early exit: a fork of the state that skips every later layer,
 * so that the final norm and LM head apply to the hidden state after that layer (the logit lens).
 *
 * <p>The early exit is scored by the task's {@link Scorer}, exactly as {@code tale eval} scores the full model:
 * with loglik or margin scoring that is the answer options' log-probabilities read at the exit; with generate
 * scoring the model decodes its answer through the layers up to the exit only (each decoded token is itself read
 * from that layer), and the answer is parsed from the text. After the last layer the early exit is the full
 * model, so its results equal the normal evaluation's. Boundary k is the residual stream entering layer k:
 * boundary 0 is the embeddings, boundary L the output of the last layer.
 */
public final class LayerAnalysis {

    /**
     * @param numLayers   L
     * @param examples    the analysed examples, in split order
     * @param classes     the gold labels' distinct values, in class-id order
     * @param full        the full model's evaluation
     * @param logitLens   the early exit's evaluation at boundaries 0..L
     * @param removal     the evaluation with only layer l removed, l = 0..L-1
     * @param information the probe's mutual information at boundaries 0..L
     * @param probe       how the probe was fitted
     */
    public record Result(int numLayers, List<Example> examples, List<String> classes, EvaluationSummary full,
                         List<ExampleResult> fullResults, List<EvaluationSummary> logitLens,
                         List<List<ExampleResult>> logitLensResults, List<EvaluationSummary> removal,
                         List<ProbeMutualInformation.Estimate> information, ProbeMutualInformation.Options probe) { }

    private LayerAnalysis() { }

    /**
     * Analyses {@code examples} of {@code split}.
     *
     * @param progress told the number of (example, configuration) pairs the shared pass scored after each batch
     */
    public static Result run(Model model, Scorer scorer, Split split, List<Example> examples,
                             LocalEvaluator.Options options, ProbeMutualInformation.Options probe,
                             LongConsumer progress) {
        if (examples.isEmpty()) throw new InputException("the " + split + " split has no examples to analyse");
        int layers = model.numLayers();
        Boundaries seen = new Boundaries(scorer, layers);
        LocalEvaluator evaluator = new LocalEvaluator(model, scorer, Map.of(split, examples), options, progress, seen);
        List<Integer> candidates = new ArrayList<>(List.of(ScoreRequest.AS_IS));
        for (int l = 0; l < layers; l++) candidates.add(l);
        ScoreResult scored = evaluator.evaluate(new ScoreRequest("analysis/" + split, split, 1, List.of(), candidates,
                0, examples.size()));

        String task = scorer.task().name();
        List<ExampleResult> fullResults = scored.scores().get(ScoreRequest.AS_IS);
        List<EvaluationSummary> removal = new ArrayList<>();
        for (int l = 0; l < layers; l++) removal.add(EvaluationSummary.of(task, scorer.scoring(), scored.scores().get(l)));
        List<EvaluationSummary> lens = new ArrayList<>();
        List<List<ExampleResult>> lensResults = new ArrayList<>();
        for (int k = 0; k <= layers; k++) {
            Map<Integer, ExampleResult> byIndex = seen.exits.get(k);
            List<ExampleResult> ordered = examples.stream().map(e -> byIndex.get(e.index())).toList();
            lensResults.add(ordered);
            lens.add(EvaluationSummary.of(task, scorer.scoring(), ordered));
        }

        List<String> classes = examples.stream().map(Example::answer).distinct().sorted().toList();
        int[] y = examples.stream().mapToInt(e -> classes.indexOf(e.answer())).toArray();
        ProbeMutualInformation mi = new ProbeMutualInformation(probe);
        List<ProbeMutualInformation.Estimate> information = new ArrayList<>();
        for (int k = 0; k <= layers; k++) {
            Map<Integer, float[]> byIndex = seen.lastTokenStates.get(k);
            float[][] x = examples.stream().map(e -> byIndex.get(e.index())).toArray(float[][]::new);
            information.add(mi.estimate(x, y));
        }
        return new Result(layers, List.copyOf(examples), classes, EvaluationSummary.of(task, scorer.scoring(), fullResults),
                fullResults, lens, lensResults, removal, information, probe);
    }

    /** Collects, at every boundary, each example's last-token state and early-exit result. */
    private static final class Boundaries implements LocalEvaluator.BoundaryListener {
        private final Scorer scorer;
        private final int layers;
        final Map<Integer, Map<Integer, float[]>> lastTokenStates = new TreeMap<>();
        final Map<Integer, Map<Integer, ExampleResult>> exits = new TreeMap<>();

        Boundaries(Scorer scorer, int layers) {
            this.scorer = scorer;
            this.layers = layers;
        }

        @Override
        public void atBoundary(PreparedBatch batch, int boundary, ForwardState main) {
            List<int[]> last = batch.items().stream().map(i -> new int[] {i.prompt().length - 1}).toList();
            List<float[][]> hidden = main.hiddenAt(last);
            Map<Integer, float[]> states = lastTokenStates.computeIfAbsent(boundary, k -> new HashMap<>());
            for (int b = 0; b < batch.size(); b++) states.put(batch.items().get(b).example().index(), hidden.get(b)[0]);
            Map<Integer, ExampleResult> results = exits.computeIfAbsent(boundary, k -> new HashMap<>());
            try (ForwardState exit = main.fork()) {
                exit.skipTo(layers);
                for (ExampleResult r : scorer.score(batch, exit)) results.put(r.index(), r);
            }
        }
    }
}
