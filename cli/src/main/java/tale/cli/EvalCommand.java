package tale.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.scoring.Evaluation;
import tale.core.scoring.EvaluationSummary;
import tale.core.scoring.Evaluator;
import tale.core.scoring.ResultsFile;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.Split;
import tale.core.task.Task;

/** Scores a model (optionally with layers removed) on a task split; prints a JSON summary. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a model on a task: JSON summary on stdout, progress on stderr, per-example JSON Lines with --out.")
final class EvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", required = true, description = "Hugging Face model directory") Path model;
    @Mixin TaskOptions taskOptions;
    @Option(names = "--split", defaultValue = "all", description = "search, select, test or all (default: ${DEFAULT-VALUE})") String split;
    @Option(names = "--limit", description = "score only the first N rows of the split") Integer limit;
    @Option(names = "--scoring", defaultValue = "generate", description = "generate, loglik or margin (default: ${DEFAULT-VALUE})") String scoring;
    @Option(names = "--drop", defaultValue = "", description = "layers to remove, 0-indexed, e.g. 3,5") String drop;
    @Option(names = "--out", description = "write per-example results here (JSON Lines)") Path out;
    @Option(names = "--batch-size", defaultValue = "" + Evaluator.Options.DEFAULT_BATCH_SIZE, description = "examples per forward (default: ${DEFAULT-VALUE})") int batchSize;
    @Option(names = "--batch-tokens", defaultValue = "" + Evaluator.Options.DEFAULT_BATCH_TOKENS, description = "padded tokens per forward (default: ${DEFAULT-VALUE})") int batchTokens;
    @Option(names = "--max-new-tokens", description = "decoding budget in generate mode (default: the task's: 1 multiple choice, 5 boolean expressions, 256 math)") Integer maxNewTokens;
    @Option(names = "--precision", defaultValue = "f32", description = "f32 or f16") String precision;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu, gpu:N or auto") String device;

    @Override
    public Integer call() {
        Task task = taskOptions.task();
        Scoring mode = Scoring.parse(scoring);
        List<Example> rows = task.load(taskOptions.data);
        List<Example> examples = taskOptions.plan().select(rows, Split.parse(split));
        if (limit != null) {
            if (limit < 1) throw new InputException("--limit must be at least 1, got " + limit);
            examples = examples.subList(0, Math.min(limit, examples.size()));
        }
        var demonstrations = taskOptions.demonstrations(task, rows);
        PrintWriter err = spec.commandLine().getErr();
        try (Model m = Model.load(model, new Model.Options(Precisions.parse(precision), device))) {
            LayerMask mask = LayerMask.parse(m.numLayers(), drop);
            Scorer scorer = new Scorer(new Prompts(task, m.chatTemplate(), demonstrations), mode, m.tokenizer(),
                    m.stopTokens(), m.numLayers(), maxNewTokens != null ? maxNewTokens : task.maxNewTokens());
            Evaluation evaluation;
            try (ProgressBar bar = progressBar(task.name(), examples.size(), err)) {
                evaluation = Evaluator.evaluate(m, scorer, examples, mask,
                        new Evaluator.Options(batchSize, batchTokens, bar::stepBy));
            }
            if (out != null) ResultsFile.write(out, evaluation.results());
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println(summaryJson(evaluation.summary(), split, mask, out));
            stdout.flush();
        }
        return 0;
    }

    /** A bar redrawn in place on a terminal; one line per update when stderr is a file or a pipe (CI logs). */
    static ProgressBar progressBar(String name, int total, PrintWriter err) {
        return progressBar(name, total, " ex", err);
    }

    /** {@link #progressBar(String, int, PrintWriter)} counting {@code unit} (" ex", " step"). */
    static ProgressBar progressBar(String name, int total, String unit, PrintWriter err) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setUnit(unit, 1)
                .showSpeed().setUpdateIntervalMillis(1000);
        if (System.console() == null) {
            b.setStyle(ProgressBarStyle.ASCII).setConsumer(new DelegatingProgressBarConsumer(line -> {
                err.println(line);
                err.flush();
            }));
        }
        return b.build();
    }

    static String summaryJson(EvaluationSummary s, String split, LayerMask mask, Path out) {
        ObjectNode o = ResultsFile.summaryJson(s);
        o.put("split", split);
        o.put("dropped", mask.toString());
        if (out != null) o.put("out", out.toString());
        return o.toString();
    }
}
