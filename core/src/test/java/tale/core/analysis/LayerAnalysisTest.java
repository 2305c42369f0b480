package tale.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.model.TinyCheckpoint;
import tale.core.scoring.Evaluation;
import tale.core.scoring.Evaluator;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.search.LocalEvaluator;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Split;
import tale.core.task.Task;
import tale.core.task.Tasks;

/**
 * The analysis on a real tiny checkpoint with the real scorer: after the last layer the early exit is the normal
 * evaluation, bit for bit, in every scoring mode; an early exit after layer k is the evaluation with every later
 * layer removed; the removal scores are single-layer evaluations; mutual information stays within [0, H(Y)].
 */
class LayerAnalysisTest {

    static final int LAYERS = 4;
    static final int BATCH = 4;

    @TempDir
    static Path tmp;
    static Model model;
    static List<Example> rows;
    static Task task = Tasks.byName("mc");

    @BeforeAll
    static void load() throws Exception {
        Path dir = tmp.resolve("qwen2");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(LAYERS).withSeed(11), dir);
        model = Model.load(dir);
        rows = task.load(sums(tmp.resolve("sums.jsonl"), 12));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Multiple-choice sums with three numeric options; gold spread over the options. */
    static Path sums(Path file, int n) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int gold = i % 3;
            List<String> choices = new ArrayList<>();
            for (int c = 0; c < 3; c++) choices.add(String.valueOf(i + 2 + c - gold));
            lines.add("{\"query\": \"What is " + i + " plus 2?\", \"choices\": [\"" + String.join("\", \"", choices)
                    + "\"], \"gold\": " + gold + "}");
        }
        return Files.write(file, lines);
    }

    static Scorer scorer(Scoring scoring) {
        return Scorer.of(model, task, scoring, Demonstrations.none());
    }

    static LayerAnalysis.Result analyse(Scoring scoring) {
        return LayerAnalysis.run(model, scorer(scoring), Split.SEARCH, rows,
                new LocalEvaluator.Options(true, BATCH, 8192), ProbeMutualInformation.Options.defaults(1), n -> { });
    }

    static Evaluation evaluate(Scoring scoring, LayerMask mask) {
        return Evaluator.evaluate(model, scorer(scoring), rows, mask, Evaluator.Options.defaults().withBatchSize(BATCH));
    }

    @Test
    void earlyExitAfterTheLastLayerIsTheNormalEvaluationInEveryScoringMode() {
        for (Scoring scoring : Scoring.values()) {
            LayerAnalysis.Result r = analyse(scoring);
            Evaluation normal = evaluate(scoring, LayerMask.full(LAYERS));
            assertEquals(normal.results(), r.logitLensResults().get(LAYERS), scoring + ": per-example results");
            assertEquals(normal.summary(), r.logitLens().get(LAYERS), scoring + ": summary");
            assertEquals(normal.summary(), r.full(), scoring + ": full model");
        }
    }

    @Test
    void earlyExitAfterLayerKIsTheModelWithoutTheLaterLayers() {
        LayerAnalysis.Result r = analyse(Scoring.GENERATE);
        for (int k = 0; k < LAYERS; k++) {
            List<Integer> later = IntStream.range(k, LAYERS).boxed().toList();
            Evaluation truncated = evaluate(Scoring.GENERATE, LayerMask.dropping(LAYERS, later));
            assertEquals(truncated.results(), r.logitLensResults().get(k), "exit at boundary " + k);
        }
    }

    @Test
    void removalScoresAreSingleLayerEvaluations() {
        LayerAnalysis.Result r = analyse(Scoring.MARGIN);
        List<Double> margins = new ArrayList<>();
        for (int l = 0; l < LAYERS; l++) {
            assertEquals(evaluate(Scoring.MARGIN, LayerMask.full(LAYERS).without(l)).summary(), r.removal().get(l), "layer " + l);
            margins.add(r.removal().get(l).meanMargin());
        }
        // Guards the equalities against a scoring that ignores the layers.
        assertEquals(LAYERS, margins.stream().distinct().count());
        assertNotEquals(r.logitLens().get(0).meanMargin(), r.logitLens().get(LAYERS).meanMargin());
    }

    @Test
    void mutualInformationLiesBetweenZeroAndTheLabelEntropy() {
        LayerAnalysis.Result r = analyse(Scoring.MARGIN);
        assertEquals(List.of("A", "B", "C"), r.classes());
        double h = ProbeMutualInformation.entropyBits(rows.stream().mapToInt(e -> e.gold()).toArray());
        assertEquals(Math.log(3) / Math.log(2), h, 1e-12, "balanced three classes");
        assertEquals(LAYERS + 1, r.information().size());
        for (ProbeMutualInformation.Estimate e : r.information()) {
            assertEquals(h, e.labelEntropyBits(), 1e-12);
            assertTrue(e.bits() >= 0 && e.bits() <= h, "estimate " + e);
            assertTrue(Double.isFinite(e.crossEntropyBits()), "cross-entropy " + e);
        }
    }
}
