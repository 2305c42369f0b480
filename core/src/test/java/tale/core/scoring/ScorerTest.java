package tale.core.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.model.ReferenceForward;
import tale.core.model.TinyCheckpoint;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.SplitPlan;
import tale.core.task.Task;
import tale.core.task.TaskFixtures;
import tale.core.task.Tasks;

/** Scoring mechanics on a random tiny model (accuracies are meaningless; equalities are not). */
class ScorerTest {

    @TempDir
    static Path tmp;
    static Path dir;
    static Model model;
    static ReferenceForward reference;
    static Task mc = Tasks.byName("mc");
    static List<Example> rows;

    @BeforeAll
    static void setUp() throws Exception {
        dir = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(4).withSeed(42), dir);
        model = Model.load(dir);
        reference = ReferenceForward.load(dir);
        rows = mc.load(TaskFixtures.fixture("mc_novel.jsonl"));
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    @Test
    void loglikEqualsADirectSumOverTheReferenceLogSoftmax() {
        for (LayerMask mask : List.of(model.fullMask(), LayerMask.parse(4, "1"))) {
            Scorer scorer = Scorer.of(model, mc, Scoring.LOGLIK, Demonstrations.none());
            PreparedBatch batch = scorer.prepare(rows);
            double[][] scores;
            try (ForwardState s = model.start(batch.sequences())) {
                scores = scorer.optionScores(batch, s.runAll(mask));
            }
            for (int b = 0; b < batch.size(); b++) {
                PreparedBatch.Item item = batch.items().get(b);
                assertEquals(item.example().choices().size(), scores[b].length);
                for (int c = 0; c < scores[b].length; c++) {
                    double expected = referenceLogLik(item.prompt(), item.continuations().get(c), Set.copyOf(mask.removed()));
                    assertEquals(expected, scores[b][c], 1e-3, "row " + b + " choice " + c + " mask " + mask);
                }
            }
        }
    }

    @Test
    void loglikContinuationsAreTheAnswerTextsAsTheyFollowTheGenerationPrompt() {
        Scorer scorer = Scorer.of(model, mc, Scoring.LOGLIK, Demonstrations.none());
        PreparedBatch.Item item = scorer.prepare(rows.subList(0, 1)).items().get(0);
        assertArrayEquals(model.tokenizer().encode("green"), item.continuations().get(0));
        assertTrue(new String(model.tokenizer().decode(item.prompt())).endsWith("<|im_start|>assistant\n"));
        assertArrayEquals(model.tokenizer().encode("A"), item.labels().get(0));
    }

    @Test
    void marginIsGoldLabelLogProbMinusBestWrongOne() {
        Scorer scorer = Scorer.of(model, mc, Scoring.MARGIN, Demonstrations.none());
        List<ExampleResult> results = Evaluator.evaluate(model, scorer, rows, model.fullMask(), Evaluator.Options.defaults()).results();
        PreparedBatch batch = scorer.prepare(rows);
        for (int b = 0; b < rows.size(); b++) {
            PreparedBatch.Item item = batch.items().get(b);
            double[] lp = referenceLogSoftmax(item.prompt(), Set.of())[item.prompt().length - 1];
            double gold = lp[item.labels().get(item.example().gold())[0]], bestWrong = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < item.labels().size(); c++) {
                if (c != item.example().gold()) bestWrong = Math.max(bestWrong, lp[item.labels().get(c)[0]]);
            }
            ExampleResult r = results.get(b);
            assertEquals(rows.get(b).index(), r.index());
            assertEquals(gold - bestWrong, r.margin(), 1e-3);
            assertEquals(r.margin() > 0, r.correct());
            assertEquals(r.correct(), r.prediction().equals(r.gold()));
            assertFalse(r.invalid());
        }
    }

    @Test
    void generateForMultipleChoiceIsTheArgmaxTokenAfterOnePrefill() {
        Scorer scorer = Scorer.of(model, mc, Scoring.GENERATE, Demonstrations.none());
        List<ExampleResult> results = Evaluator.evaluate(model, scorer, rows, model.fullMask(), Evaluator.Options.defaults()).results();
        PreparedBatch batch = scorer.prepare(rows);
        int invalid = 0;
        for (int b = 0; b < rows.size(); b++) {
            double[] last = referenceLogSoftmax(batch.items().get(b).prompt(), Set.of())[batch.items().get(b).prompt().length - 1];
            int argmax = 0;
            for (int v = 1; v < last.length; v++) if (last[v] > last[argmax]) argmax = v;
            ExampleResult r = results.get(b);
            String expectedOutput = model.stopTokens().contains(argmax) ? "" : model.tokenizer().decode(new int[] {argmax}, true);
            assertEquals(expectedOutput, r.output());
            assertEquals(r.prediction().isEmpty(), r.invalid());
            assertFalse(Double.isNaN(r.margin()), "single-token labels: the margin comes for free");
            if (r.invalid()) invalid++;
        }
        EvaluationSummary summary = EvaluationSummary.of("mc", Scoring.GENERATE, results);
        assertEquals(invalid, summary.invalid());
        assertEquals(rows.size(), summary.n());
    }

    @Test
    void batchedScoresEqualOneAtATime() {
        for (Scoring scoring : Scoring.values()) {
            Scorer scorer = Scorer.of(model, mc, scoring, Demonstrations.none());
            List<Example> some = rows.subList(0, 4); // 3, 5, 4 and 2 options: prompts of different lengths
            Evaluation batched = Evaluator.evaluate(model, scorer, some, model.fullMask(), Evaluator.Options.defaults());
            Evaluation single = Evaluator.evaluate(model, scorer, some, model.fullMask(), Evaluator.Options.defaults().withBatchSize(1));
            for (int i = 0; i < some.size(); i++) {
                ExampleResult a = batched.results().get(i), b = single.results().get(i);
                assertEquals(b.index(), a.index());
                assertEquals(b.prediction(), a.prediction(), scoring + " row " + i);
                assertEquals(b.output(), a.output());
                assertEquals(b.margin(), a.margin(), 1e-4);
                assertEquals(b.predictionNorm(), a.predictionNorm());
            }
        }
    }

    @Test
    void generativeTaskDecodesGreedilyWithTheCacheAndParsesTheFinalAnswer() {
        Task gen = Tasks.byName("gen");
        List<Example> genRows = gen.load(TaskFixtures.fixture("gen.jsonl"));
        Scorer scorer = new Scorer(new tale.core.task.Prompts(gen, model.chatTemplate(), Demonstrations.none()),
                Scoring.GENERATE, model.tokenizer(), model.stopTokens(), model.numLayers(), 6);
        Evaluation e = Evaluator.evaluate(model, scorer, genRows, model.fullMask(), Evaluator.Options.defaults());
        PreparedBatch batch = scorer.prepare(genRows);
        for (int b = 0; b < genRows.size(); b++) {
            List<Integer> tokens = new ArrayList<>();
            for (int v : batch.items().get(b).prompt()) tokens.add(v);
            StringBuilder expected = new StringBuilder();
            List<Integer> produced = new ArrayList<>();
            for (int step = 0; step < 6; step++) {
                double[][] lp = referenceLogSoftmax(tokens.stream().mapToInt(Integer::intValue).toArray(), Set.of());
                double[] last = lp[lp.length - 1];
                int argmax = 0;
                for (int v = 1; v < last.length; v++) if (last[v] > last[argmax]) argmax = v;
                if (model.stopTokens().contains(argmax)) break;
                produced.add(argmax);
                tokens.add(argmax);
            }
            expected.append(model.tokenizer().decode(produced.stream().mapToInt(Integer::intValue).toArray(), true));
            ExampleResult r = e.results().get(b);
            assertEquals(expected.toString(), r.output(), "row " + b);
            assertEquals(r.invalid(), r.prediction().isEmpty());
            assertTrue(Double.isNaN(r.margin()));
        }
    }

    @Test
    void fewShotPromptsAreScoredToo() {
        Demonstrations demos = Demonstrations.fromOtherParts(rows, SplitPlan.shuffled(0), 2, 0);
        Scorer scorer = Scorer.of(model, mc, Scoring.LOGLIK, demos);
        Scorer zeroShot = Scorer.of(model, mc, Scoring.LOGLIK, Demonstrations.none());
        PreparedBatch.Item withDemos = scorer.prepare(rows.subList(0, 1)).items().get(0);
        PreparedBatch.Item without = zeroShot.prepare(rows.subList(0, 1)).items().get(0);
        assertTrue(withDemos.prompt().length > without.prompt().length + 20);
        Evaluation e = Evaluator.evaluate(model, scorer, rows.subList(0, 3), model.fullMask(), Evaluator.Options.defaults());
        assertEquals(3, e.summary().n());
        assertFalse(Double.isNaN(e.summary().accNorm()));
    }

    @Test
    void progressCountsEveryExampleAndResultsKeepTheGivenOrder() {
        Scorer scorer = Scorer.of(model, mc, Scoring.MARGIN, Demonstrations.none());
        int[] done = {0};
        List<Example> reversed = new ArrayList<>(rows);
        java.util.Collections.reverse(reversed);
        Evaluation e = Evaluator.evaluate(model, scorer, reversed, model.fullMask(),
                new Evaluator.Options(2, 100_000, n -> done[0] += n));
        assertEquals(rows.size(), done[0]);
        assertEquals(reversed.stream().map(Example::index).toList(), e.results().stream().map(ExampleResult::index).toList());
    }

    @Test
    void batchesAreLengthSortedAndRespectTheTokenBudget() {
        Scorer scorer = Scorer.of(model, mc, Scoring.MARGIN, Demonstrations.none());
        List<PreparedBatch> batches = scorer.prepareBatches(rows, 4, 400);
        int previous = Integer.MAX_VALUE, total = 0;
        for (PreparedBatch b : batches) {
            assertTrue(b.maxLength() <= previous);
            assertTrue(b.size() == 1 || b.size() * b.maxLength() <= 400, "budget");
            previous = b.maxLength();
            total += b.size();
        }
        assertEquals(rows.size(), total);
    }

    @Test
    void scoringNeedsTheFinishedStateAndAChoiceTaskForLoglik() {
        Scorer scorer = Scorer.of(model, mc, Scoring.MARGIN, Demonstrations.none());
        PreparedBatch batch = scorer.prepare(rows);
        try (ForwardState s = model.start(batch.sequences())) {
            assertThrows(IllegalStateException.class, () -> scorer.score(batch, s.runTo(model.fullMask(), 2)));
        }
        InputException e = assertThrows(InputException.class,
                () -> Scorer.of(model, Tasks.byName("gsm8k"), Scoring.LOGLIK, Demonstrations.none()));
        assertTrue(e.getMessage().contains("only generate scoring applies"), e.getMessage());
        assertThrows(InputException.class, () -> Evaluator.evaluate(model, scorer, rows, LayerMask.full(5), Evaluator.Options.defaults()));
    }

    /** Reference log p of {@code continuation} after {@code prompt}. */
    private static double referenceLogLik(int[] prompt, int[] continuation, Set<Integer> dropped) {
        int[] all = new int[prompt.length + continuation.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(continuation, 0, all, prompt.length, continuation.length);
        double[][] lp = referenceLogSoftmax(all, dropped);
        double sum = 0;
        for (int j = 0; j < continuation.length; j++) sum += lp[prompt.length - 1 + j][continuation[j]];
        return sum;
    }

    private static double[][] referenceLogSoftmax(int[] tokens, Set<Integer> dropped) {
        double[][] logits = reference.logits(tokens, dropped);
        double[][] out = new double[logits.length][];
        for (int t = 0; t < logits.length; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[t]) max = Math.max(max, v);
            double sum = 0;
            for (double v : logits[t]) sum += Math.exp(v - max);
            double logZ = max + Math.log(sum);
            out[t] = new double[logits[t].length];
            for (int v = 0; v < logits[t].length; v++) out[t][v] = logits[t][v] - logZ;
        }
        return out;
    }
}
