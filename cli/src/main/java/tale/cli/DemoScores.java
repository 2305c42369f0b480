package tale.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import tale.core.model.Model;
import tale.core.scoring.EvaluationSummary;
import tale.core.scoring.Evaluator;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Task;
import tale.core.task.Tasks;
import tale.core.train.BooleanExpressions;
import tale.core.train.DemoModel;
import tale.core.train.DemoTraining;

/** Scores a demo model as {@code tale eval} does: on its 500 held-out generated rows and on the real BBH file. */
final class DemoScores {

    private DemoScores() { }

    static void print(Path dir, long seed, Path bbh, PrintWriter stdout, PrintWriter err) throws Exception {
        Task task = Tasks.byName(DemoModel.TASK);
        Path heldOut = dir.resolve("data").resolve("heldout.jsonl");
        if (!Files.exists(heldOut)) BooleanExpressions.writeJsonl(DemoTraining.heldOut(seed, bbh), heldOut);
        try (Model model = Model.load(dir)) {
            Scorer scorer = Scorer.of(model, task, Scoring.GENERATE, Demonstrations.none());
            report("held-out generated", score(model, scorer, task.load(heldOut), err), heldOut, stdout);
            if (bbh != null) report("BIG-Bench-Hard", score(model, scorer, task.load(bbh), err), bbh, stdout);
        }
    }

    static EvaluationSummary score(Model model, Scorer scorer, List<Example> rows, PrintWriter err) {
        try (ProgressBar bar = EvalCommand.progressBar("eval", rows.size(), err)) {
            return Evaluator.evaluate(model, scorer, rows, model.fullMask(),
                    Evaluator.Options.defaults().withBatchSize(64).withProgress(bar::stepBy)).summary();
        }
    }

    private static void report(String what, EvaluationSummary s, Path file, PrintWriter stdout) {
        stdout.printf(Locale.ROOT, "%s: accuracy %.4f on %d rows (%d invalid answers) of %s%n", what, s.accuracy(), s.n(), s.invalid(), file);
        stdout.flush();
    }
}
