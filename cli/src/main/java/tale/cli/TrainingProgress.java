package tale.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import tale.core.train.Trainer;

/** A progress bar over training steps showing the loss (mean of the last steps) and sequences per second. */
final class TrainingProgress implements Trainer.Listener, AutoCloseable {

    private final String name;
    private final PrintWriter err;
    private ProgressBar bar;
    private final long start = System.nanoTime();
    private long sequences;
    private double smoothed = Double.NaN;

    TrainingProgress(String name, PrintWriter err) {
        this.name = name;
        this.err = err;
    }

    @Override
    public void onStep(int step, int totalSteps, float loss, int batch) {
        if (bar == null) bar = EvalCommand.progressBar(name, totalSteps, " step", err);
        sequences += batch;
        smoothed = Double.isNaN(smoothed) ? loss : 0.9 * smoothed + 0.1 * loss;
        double seconds = (System.nanoTime() - start) / 1e9;
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %.0f items/s", smoothed, sequences / Math.max(seconds, 1e-9)));
        bar.stepTo(step);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
