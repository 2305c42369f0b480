package tale.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.ForwardState;
import tale.core.model.Model;
import tale.core.model.TinyCheckpoint;
import tale.core.scoring.ExampleResult;
import tale.core.task.Split;

/**
 * The local evaluator on a real tiny checkpoint, with a scoring of this test's own (the next token after
 * the prompt against a gold token): prefix reuse gives the per-example results of plain passes, bit for bit,
 * at a fraction of the layer forwards.
 */
class LocalEvaluatorTest {

    static final int LAYERS = 6;
    static final int EXAMPLES = 12;

    @TempDir
    static Path tmp;
    static Model model;

    @BeforeAll
    static void load() throws Exception {
        Path dir = tmp.resolve("llama");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(LAYERS).withSeed(7), dir);
        model = Model.load(dir);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Random prompts of 3 to 12 byte tokens; example i's gold token is the byte 97 + i mod 4. */
    static final class NextToken implements BatchScoring {
        final List<int[]> prompts = new ArrayList<>();

        NextToken(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < EXAMPLES; i++) prompts.add(rnd.ints(3 + rnd.nextInt(10), 32, 127).toArray());
        }

        record Batch(int from, List<int[]> sequences) implements BatchScoring.Batch { }

        @Override
        public BatchScoring.Batch prepare(Split split, int from, int to) {
            return new Batch(from, prompts.subList(from, to));
        }

        @Override
        public List<ExampleResult> score(BatchScoring.Batch batch, ForwardState finished) {
            int from = ((Batch) batch).from();
            List<int[]> last = batch.sequences().stream().map(s -> new int[] {s.length - 1}).toList();
            List<float[][]> logits = finished.logitsAt(last);
            List<ExampleResult> out = new ArrayList<>();
            for (int b = 0; b < logits.size(); b++) {
                float[] row = logits.get(b)[0];
                int gold = 97 + (from + b) % 4, argmax = 0;
                float other = Float.NEGATIVE_INFINITY;
                for (int v = 0; v < row.length; v++) {
                    if (row[v] > row[argmax]) argmax = v;
                    if (v != gold) other = Math.max(other, row[v]);
                }
                out.add(new ExampleResult(from + b, String.valueOf(argmax), String.valueOf(gold), argmax == gold,
                        row[gold] - other, false, null, null));
            }
            return out;
        }
    }

    static ScoreRequest round(List<Integer> removed, List<Integer> candidates) {
        return new ScoreRequest("test", Split.SEARCH, 1, removed, candidates, 0, EXAMPLES);
    }

    @Test
    void prefixReuseEqualsPlainPassesBitForBit() {
        NextToken scoring = new NextToken(1);
        for (List<Integer> removed : List.of(List.<Integer>of(), List.of(0, 3), List.of(5))) {
            List<Integer> candidates = new ArrayList<>(List.of(ScoreRequest.AS_IS));
            for (int l = 0; l < LAYERS; l++) if (!removed.contains(l)) candidates.add(l);
            ScoreRequest q = round(removed, candidates);
            ScoreResult shared = new LocalEvaluator(model, scoring, new LocalEvaluator.Options(true, 5)).evaluate(q);
            ScoreResult plain = new LocalEvaluator(model, scoring, new LocalEvaluator.Options(false, 5)).evaluate(q);
            assertEquals(plain, shared, "removed " + removed);
            assertEquals(EXAMPLES, shared.scores().get(ScoreRequest.AS_IS).size());
        }
    }

    @Test
    void candidatesDifferFromEachOther() {
        // Guards the equality test against a scoring that ignores the layers.
        ScoreResult r = new LocalEvaluator(model, new NextToken(1), LocalEvaluator.Options.FAST)
                .evaluate(round(List.of(), List.of(0, 1, 2, 3, 4, 5)));
        long distinct = r.scores().values().stream().map(rs -> rs.get(0).margin()).distinct().count();
        assertEquals(LAYERS, distinct);
    }

    @Test
    void layerForwardsOfOneRound() {
        List<Integer> all = List.of(0, 1, 2, 3, 4, 5);
        LocalEvaluator shared = new LocalEvaluator(model, new NextToken(1), new LocalEvaluator.Options(true, 8));
        LocalEvaluator plain = new LocalEvaluator(model, new NextToken(1), new LocalEvaluator.Options(false, 8));
        shared.evaluate(round(List.of(), all));
        plain.evaluate(round(List.of(), all));
        // Plain: 6 candidates x 5 layers. Shared: the main pass runs layers 0-4, candidate l runs 5 - l layers.
        assertEquals(EXAMPLES * 6 * 5, plain.layerForwards());
        assertEquals(EXAMPLES * (5 + 15), shared.layerForwards());
    }

    @Test
    void aSearchWithPrefixReuseFollowsTheNaiveTrajectory() {
        NextToken scoring = new NextToken(3);
        SearchConfig config = SearchConfig.defaults(LAYERS, EXAMPLES, 0, 0).withObjective(Objective.MARGIN)
                .withEpsilon(1.0).withMaxRemoved(3);
        SearchResult fast = SearchRunner.run(config, new LocalEvaluator(model, scoring, LocalEvaluator.Options.FAST),
                SearchStateTest.QUIET);
        SearchResult naive = SearchRunner.run(config, new LocalEvaluator(model, scoring, LocalEvaluator.Options.NAIVE),
                SearchStateTest.QUIET);
        assertEquals(3, fast.rounds().size());
        List<SearchResult.Step> a = fast.trajectory(), b = naive.trajectory();
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(b.get(i).round(), a.get(i).round());
            assertEquals(b.get(i).layer(), a.get(i).layer());
            assertEquals(b.get(i).accepted(), a.get(i).accepted());
            assertEquals(b.get(i).score(), a.get(i).score(), 1e-4, "batched and one-by-one forwards differ by rounding only");
        }
        assertEquals(naive.last().removed(), fast.last().removed());
    }

    @Test
    void candidatesMustBeActiveLayers() {
        LocalEvaluator e = new LocalEvaluator(model, new NextToken(1), LocalEvaluator.Options.FAST);
        assertThrows(IllegalArgumentException.class, () -> e.evaluate(round(List.of(2), List.of(2))));
        assertThrows(IllegalArgumentException.class, () -> e.evaluate(round(List.of(), List.of(LAYERS))));
        assertTrue(e.layerForwards() == 0);
    }
}
