package tale.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.train.DemoTraining;

/** Trains the small demo model from scratch (or reuses an identical earlier run), then scores it. */
@Command(name = "train-demo", mixinStandardHelpOptions = true,
        description = "Train a small Llama-architecture model from scratch on generated boolean expressions "
                + "(the bbh_boolean_expressions task's prompts); reuse --out when it was trained with the same settings.")
final class TrainDemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--out", required = true, description = "model directory to write (or reuse)") Path out;
    @Option(names = "--seed", defaultValue = "0", description = "seed of weights, data and batch order (default: ${DEFAULT-VALUE})") long seed;
    @Option(names = "--bbh", description = "the real BIG-Bench-Hard boolean_expressions file: excluded from training, scored after") Path bbh;
    @Option(names = "--epochs", description = "passes over the training rows (default: the demo's)") Integer epochs;
    @Option(names = "--no-score", description = "skip scoring the held-out rows and the --bbh file after training") boolean noScore;
    @Option(names = "--rows", paramLabel = "BBH,MIXED", description = "training rows: BBH-shaped, mixed lengths (default: the demo's)") String rows;

    @Override
    public Integer call() throws Exception {
        // A model this small gains nothing from a second thread (op overhead dominates), loses a lot on a busy
        // machine, and the same thread count is what makes a seed reproduce the same weights.
        if (System.getenv("TALE_THREADS") == null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
        DemoTraining.Settings settings = DemoTraining.Settings.defaults(seed);
        if (rows != null || epochs != null) {
            int bbhRows = settings.bbhRows(), mixedRows = settings.mixedRows();
            if (rows != null) {
                String[] parts = rows.split(",");
                if (parts.length != 2) throw new tale.core.InputException("--rows takes BBH,MIXED, e.g. 3000,3000");
                bbhRows = Integer.parseInt(parts[0].trim());
                mixedRows = Integer.parseInt(parts[1].trim());
            }
            settings = settings.withRows(bbhRows, mixedRows, epochs != null ? epochs : settings.epochs());
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        DemoTraining.Outcome outcome;
        try (TrainingProgress progress = new TrainingProgress("train-demo", err)) {
            outcome = DemoTraining.run(settings, out, bbh, progress);
        }
        if (outcome.reused()) {
            stdout.printf(Locale.ROOT, "reused %s: already trained with these settings (training took %.1f s)%n", out,
                    outcome.trainSeconds());
        } else {
            stdout.printf(Locale.ROOT, "trained %s: %d steps in %.1f s, loss %.4f -> %.4f%n", out, outcome.steps(),
                    outcome.trainSeconds(), outcome.firstLoss(), outcome.lastLoss());
        }
        stdout.flush();
        if (!noScore) DemoScores.print(out, seed, bbh, stdout, err);
        return 0;
    }
}
