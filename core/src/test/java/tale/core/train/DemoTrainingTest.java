package tale.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tale.core.model.Checkpoint;
import tale.core.model.Model;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Tasks;

/** The demo model's tokenizer covers the task's prompts; training is reproducible and reused when repeated. */
class DemoTrainingTest {

    static final DemoTraining.Settings SHORT = new DemoTraining.Settings(3, new DemoModel.Shape(2, 32, 4, 2, 64), 40, 40, 1,
            3e-3f, 16);

    @TempDir
    Path tmp;

    @Test
    void sameSeedGivesTheSameWeightsAndARepeatIsReused() throws Exception {
        DemoTraining.Outcome a = DemoTraining.run(SHORT, tmp.resolve("a"), null, (s, t, l, n) -> { });
        DemoTraining.Outcome b = DemoTraining.run(SHORT, tmp.resolve("b"), null, (s, t, l, n) -> { });
        DemoTraining.Outcome c = DemoTraining.run(new DemoTraining.Settings(4, SHORT.shape(), 40, 40, 1, 3e-3f, 16),
                tmp.resolve("c"), null, (s, t, l, n) -> { });
        assertFalse(a.reused());
        assertTrue(a.steps() >= 5);
        assertTrue(a.lastLoss() < a.firstLoss(), "loss fell: " + a.firstLoss() + " -> " + a.lastLoss());
        assertEquals(weightsHash(tmp.resolve("a")), weightsHash(tmp.resolve("b")), "same seed, same weights");
        assertNotEquals(weightsHash(tmp.resolve("a")), weightsHash(tmp.resolve("c")), "another seed, other weights");

        String before = weightsHash(tmp.resolve("a"));
        DemoTraining.Outcome again = DemoTraining.run(SHORT, tmp.resolve("a"), null, (s, t, l, n) -> { });
        assertTrue(again.reused(), "an identical run reuses the directory");
        assertEquals(a.trainSeconds(), again.trainSeconds(), 1e-9);
        assertEquals(before, weightsHash(tmp.resolve("a")));
        DemoTraining.Outcome longer = DemoTraining.run(SHORT.withRows(40, 40, 2), tmp.resolve("a"), null, (s, t, l, n) -> { });
        assertFalse(longer.reused(), "other settings retrain");
    }

    @Test
    void everyPromptWordIsOneKnownTokenSoSubExpressionsAreSupervised() throws Exception {
        Path dir = tmp.resolve("init");
        DemoModel.writeInitial(SHORT.shape(), 1, dir);
        Path data = tmp.resolve("rows.jsonl");
        BooleanExpressions.writeJsonl(List.of(BooleanExpressions.evaluate("not ( True ) and ( True ) is")), data);
        try (Model model = Model.load(dir)) {
            Example e = Tasks.byName(DemoModel.TASK).load(data).get(0);
            Scorer scorer = Scorer.of(model, Tasks.byName(DemoModel.TASK), Scoring.GENERATE, Demonstrations.none());
            int[] prompt = scorer.prepare(List.of(e)).items().get(0).prompt();
            int unk = DemoModel.vocabulary().indexOf(DemoModel.UNK);
            assertTrue(Arrays.stream(prompt).noneMatch(id -> id == unk), "no unknown words in " + Arrays.toString(prompt));
            assertEquals("<|assistant|>", model.tokenizer().decode(new int[] {prompt[prompt.length - 1]}));

            TrainingSequence s = DemoTraining.sequences(model, List.of(e)).get(0);
            int t = DemoModel.vocabulary().indexOf("True"), f = DemoModel.vocabulary().indexOf("False");
            int end = DemoModel.vocabulary().indexOf(DemoModel.END);
            // not ( True ) and ( True ): True at the first "True", False at its ")" (not ( True )), True at the
            // second "True", False at the last ")" (the whole expression); then the answer False and <|end|>
            assertArrayEquals(new int[] {t, f, t, f, f, end}, s.targets());
        }
    }

    static String weightsHash(Path dir) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(Checkpoint.SINGLE_FILE))));
    }
}
