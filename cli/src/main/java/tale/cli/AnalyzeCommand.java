package tale.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.analysis.AnalysisChart;
import tale.core.analysis.AnalysisReport;
import tale.core.analysis.LayerAnalysis;
import tale.core.analysis.ProbeMutualInformation;
import tale.core.model.Model;
import tale.core.search.Objective;
import tale.core.search.SearchInputs;
import tale.core.task.Example;
import tale.core.task.Split;

/**
 * Per-layer analysis of a model on a task split: logit lens, probe mutual information and single-layer removal,
 * from one shared pass per batch; analysis.json and a chart (SVG and PNG) in --out, a table on stdout.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Per layer: the task score of an early exit after it (logit lens), the mutual information between "
                + "the last token's hidden state and the gold label (calibrated logistic-regression probe), and the score "
                + "without only that layer. Writes analysis.json, analysis.svg and analysis.png.")
final class AnalyzeCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", required = true, description = "Hugging Face model directory") Path model;
    @Mixin SearchSetup setup;
    @Option(names = "--split", defaultValue = "search",
            description = "split to analyse: search, select or test (default: ${DEFAULT-VALUE})") String split;
    @Option(names = "--search-summary", description = "summary.json of a tale search on this model and task: its removed layers are marked")
    Path searchSummary;
    @Option(names = "--folds", defaultValue = "" + ProbeMutualInformation.Options.DEFAULT_FOLDS,
            description = "cross-validation folds of the probe (default: ${DEFAULT-VALUE})") int folds;
    @Option(names = "--probe-c", defaultValue = "" + ProbeMutualInformation.Options.DEFAULT_C,
            description = "inverse regularization strength of the probe (default: ${DEFAULT-VALUE})") double probeC;
    @Option(names = "--out", required = true, description = "directory for analysis.json, analysis.svg and analysis.png") Path out;

    @Override
    public Integer call() {
        Split which = Split.parse(split);
        if (which == Split.ALL) throw new InputException("--split must be search, select or test, got \"" + split + "\"");
        ProbeMutualInformation.Options probe = new ProbeMutualInformation.Options(folds, probeC, setup.taskOptions.seed);
        SearchInputs.Data data = setup.load(Objective.ACCURACY);
        List<Example> examples = data.splits().get(which);
        if (examples.isEmpty()) throw new InputException("the " + which + " split is empty: choose another --split or --fractions");
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try (Model m = setup.loadModel(model)) {
            int layers = m.numLayers();
            AnalysisReport.SearchMarks marks = searchSummary == null ? null : AnalysisReport.searchMarks(searchSummary, layers);
            err.printf(Locale.ROOT, "%s on %s: %d layers, %d %s examples, %s scoring%n", m.dir(), data.task().name(), layers,
                    examples.size(), which, data.scoring());
            long t0 = System.nanoTime();
            LayerAnalysis.Result result;
            try (ProgressBar bar = EvalCommand.progressBar("analysis", examples.size() * (layers + 1), err)) {
                result = LayerAnalysis.run(m, setup.scorer(m, data), which, examples, setup.evaluatorOptions(), probe,
                        bar::stepBy);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> run = setup.describe(model, data);
            run.put("analysedSplit", which.toString());
            run.put("batchSize", setup.batchSize);
            run.put("wallSeconds", seconds);
            ObjectNode json = AnalysisReport.json(result, run, marks);
            Path file = out.resolve(AnalysisReport.FILE);
            AnalysisReport.write(file, json);
            List<Path> charts = AnalysisChart.write(AnalysisChart.of(json), out);
            stdout.print(table(result, marks));
            stdout.printf(Locale.ROOT, "%n%.1f s; wrote %s, %s and %s%n", seconds, file, charts.get(0), charts.get(1));
            stdout.flush();
        }
        return 0;
    }

    /** One row per layer boundary, for people. */
    static String table(LayerAnalysis.Result r, AnalysisReport.SearchMarks marks) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "full model accuracy %.4f; H(Y) %.4f bits%n", r.full().accuracy(),
                r.information().get(0).labelEntropyBits()));
        sb.append(String.format(Locale.ROOT, "%-6s %12s %10s %16s  %s%n", "layer", "logit lens", "MI bits", "without layer", ""));
        for (int k = 0; k <= r.numLayers(); k++) {
            int layer = k - 1;
            String removal = k == 0 ? "-" : String.format(Locale.ROOT, "%.4f", r.removal().get(layer).accuracy());
            boolean removed = marks != null && marks.finalRemoved().contains(layer);
            sb.append(String.format(Locale.ROOT, "%-6s %12.4f %10.4f %16s  %s%n", layer < 0 ? "emb" : String.valueOf(layer),
                    r.logitLens().get(k).accuracy(), r.information().get(k).bits(), removal, removed ? "removed by the search" : ""));
        }
        return sb.toString();
    }
}
