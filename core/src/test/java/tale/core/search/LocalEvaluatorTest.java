package tale.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.Model;
import tale.core.model.TinyCheckpoint;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Split;
import tale.core.task.Task;
import tale.core.task.TaskFixtures;
import tale.core.task.Tasks;

/**
 * The local evaluator on a real tiny checkpoint with the real scorer: prefix reuse gives the per-example results
 * of plain passes bit for bit, in every scoring mode, at a fraction of the layer forwards; a search with it
 * follows the naive search's trajectory on two tasks.
 */
class LocalEvaluatorTest {

    static final int LAYERS = 5;

    @TempDir
    static Path tmp;
    static Model model;
    static List<Example> arc;
    static List<Example> boolq;

    @BeforeAll
    static void load() throws Exception {
        Path dir = tmp.resolve("qwen2");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(LAYERS).withSeed(7), dir);
        model = Model.load(dir);
        arc = Tasks.byName("arc_easy").load(arcFile(tmp.resolve("arc.jsonl"), 10));
        boolq = Tasks.byName("boolq").load(boolqFile(tmp.resolve("boolq.jsonl"), 10));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** ARC-format rows: sums with four numeric choices (llm-foundry layout). */
    static Path arcFile(Path file, int rows) throws IOException {
        return Files.write(file, TaskFixtures.arcSumRows(rows));
    }

    /** BoolQ-format rows (llm-foundry layout). */
    static Path boolqFile(Path file, int rows) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            lines.add("{\"query\": \"Passage: Box " + i + " holds " + (i * 3) + " red balls.\\nQuestion: does box " + i
                    + " hold more than " + (i + 4) + " red balls\", \"choices\": [\"no\", \"yes\"], \"gold\": "
                    + (i * 3 > i + 4 ? 1 : 0) + "}");
        }
        return Files.write(file, lines);
    }

    static LocalEvaluator evaluator(Task task, List<Example> rows, Scoring scoring, LocalEvaluator.Options options) {
        return new LocalEvaluator(model, Scorer.of(model, task, scoring, Demonstrations.none()),
                Map.of(Split.SEARCH, rows), options);
    }

    static ScoreRequest round(List<Integer> removed, List<Integer> candidates, int examples) {
        return new ScoreRequest("test", Split.SEARCH, 1, removed, candidates, 0, examples);
    }

    static List<Integer> everyCandidate(List<Integer> removed) {
        List<Integer> candidates = new ArrayList<>(List.of(ScoreRequest.AS_IS));
        for (int l = 0; l < LAYERS; l++) if (!removed.contains(l)) candidates.add(l);
        return candidates;
    }

    @Test
    void prefixReuseEqualsPlainPassesBitForBitInEveryScoringMode() {
        Task task = Tasks.byName("arc_easy");
        for (Scoring scoring : Scoring.values()) {
            for (List<Integer> removed : List.of(List.<Integer>of(), List.of(0, 3))) {
                ScoreRequest q = round(removed, everyCandidate(removed), 6);
                var batched = new LocalEvaluator.Options(true, 4, 8192);
                ScoreResult shared = evaluator(task, arc, scoring, batched).evaluate(q);
                ScoreResult plain = evaluator(task, arc, scoring, new LocalEvaluator.Options(false, 4, 8192)).evaluate(q);
                assertEquals(plain, shared, scoring + ", removed " + removed);
                assertEquals(6, shared.scores().get(ScoreRequest.AS_IS).size());
                assertEquals(arc.get(5).index(), shared.scores().get(ScoreRequest.AS_IS).get(5).index(), "request order");
            }
        }
    }

    @Test
    void candidatesDifferFromEachOther() {
        // Guards the equality test against a scoring that ignores the layers.
        ScoreResult r = evaluator(Tasks.byName("arc_easy"), arc, Scoring.LOGLIK, LocalEvaluator.Options.FAST)
                .evaluate(round(List.of(), List.of(0, 1, 2, 3, 4), 2));
        assertEquals(LAYERS, r.scores().values().stream().map(rs -> rs.get(0).margin()).distinct().count());
    }

    @Test
    void layerForwardsOfOneRound() {
        List<Integer> all = List.of(0, 1, 2, 3, 4);
        Task task = Tasks.byName("boolq");
        LocalEvaluator shared = evaluator(task, boolq, Scoring.MARGIN, new LocalEvaluator.Options(true, 4, 8192));
        LocalEvaluator plain = evaluator(task, boolq, Scoring.MARGIN, new LocalEvaluator.Options(false, 4, 8192));
        shared.evaluate(round(List.of(), all, 10));
        plain.evaluate(round(List.of(), all, 10));
        // Plain: 5 candidates x 4 layers. Shared: the main pass runs layers 0-3, candidate l runs 4 - l layers.
        assertEquals(10 * 5 * 4, plain.layerForwards());
        assertEquals(10 * (4 + 10), shared.layerForwards());
    }

    /** The acceptance check: prefix reuse (batched) and --naive (no reducer) take the same path on two tasks. */
    @Test
    void aSearchWithPrefixReuseFollowsTheNaiveTrajectoryOnTwoTasks() {
        record Case(String task, List<Example> rows, Scoring scoring, Objective objective) { }
        for (Case c : List.of(new Case("arc_easy", arc, Scoring.LOGLIK, Objective.ACCURACY),
                new Case("boolq", boolq, Scoring.MARGIN, Objective.MARGIN))) {
            Task task = Tasks.byName(c.task());
            SearchConfig config = SearchConfig.defaults(LAYERS, c.rows().size(), 0, 0).withObjective(c.objective())
                    .withEpsilon(1.0).withMaxRemoved(2);
            SearchResult fast = SearchRunner.run(config, evaluator(task, c.rows(), c.scoring(), LocalEvaluator.Options.FAST),
                    SearchStateTest.QUIET);
            SearchResult naive = SearchRunner.run(config, evaluator(task, c.rows(), c.scoring(), LocalEvaluator.Options.NAIVE),
                    SearchStateTest.QUIET);
            assertEquals(2, fast.rounds().size());
            assertEquals(List.of(), fast.trajectoryDifferences(naive, 1e-4),
                    c.task() + ": batched and one-by-one forwards may differ by rounding only");
            assertEquals(naive.last().removed(), fast.last().removed(), c.task());
            assertEquals(naive.last().search().correct(), fast.last().search().correct(), c.task());
        }
    }

    @Test
    void badRequestsAreRefused() {
        LocalEvaluator e = evaluator(Tasks.byName("arc_easy"), arc, Scoring.MARGIN, LocalEvaluator.Options.FAST);
        assertThrows(IllegalArgumentException.class, () -> e.evaluate(round(List.of(2), List.of(2), 2)));
        assertThrows(IllegalArgumentException.class, () -> e.evaluate(round(List.of(), List.of(LAYERS), 2)));
        assertThrows(IllegalArgumentException.class, () -> e.evaluate(round(List.of(), List.of(0), 11)));
        assertThrows(IllegalArgumentException.class,
                () -> e.evaluate(new ScoreRequest("t", Split.TEST, 0, List.of(), List.of(ScoreRequest.AS_IS), 0, 1)));
        assertTrue(e.layerForwards() == 0);
    }
}
