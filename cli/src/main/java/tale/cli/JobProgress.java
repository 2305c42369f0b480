package tale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import tale.cli.cluster.TaleClient;

/**
 * A running job shown live from its server-sent events: one progress bar per step (baseline, each round, select,
 * test) and a line per decided round, as {@code tale search} shows its own progress.
 */
final class JobProgress {

    private final PrintWriter err;
    private ProgressBar bar;
    private String barKey;

    JobProgress(PrintWriter err) {
        this.err = err;
    }

    /**
     * Shows the job's events until the job ends and returns its final state from GET /jobs/{id}. The events are read
     * on a daemon thread (the stream may be cut, e.g. when the orchestrator restarts, and is then reopened); the job's
     * state is polled meanwhile, so a stream that never delivers the last event cannot hang the demo.
     */
    JsonNode follow(TaleClient client, String jobId, Duration timeout) {
        Thread reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (client.events(jobId, this::show)) return;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "job-events");
        reader.setDaemon(true);
        reader.start();
        try {
            JsonNode job = client.awaitTerminal(jobId, timeout);
            try {
                reader.join(2000); // let the last events print
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return job;
        } finally {
            reader.interrupt();
            close();
        }
    }

    /** Shows one JobEvent; true when it ends the job. */
    synchronized boolean show(JsonNode e) {
        String type = e.path("type").asText();
        switch (type) {
            case "progress" -> {
                String step = e.path("step").asText("");
                String key = step.equals("round") ? "round " + e.path("round").asInt() : step;
                long total = e.path("total").asLong();
                if (!key.equals(barKey)) {
                    finish();
                    barKey = key;
                    bar = EvalCommand.progressBar(key, (int) Math.min(Integer.MAX_VALUE, Math.max(1, total)), err);
                }
                if (total > 0) bar.maxHint(total);
                bar.stepTo(e.path("done").asLong());
            }
            case "round" -> {
                finish();
                JsonNode r = e.path("roundResult");
                int winner = r.path("winner").asInt();
                JsonNode won = null;
                for (JsonNode c : r.path("candidates")) if (c.path("layer").asInt() == winner) won = c;
                err.printf(Locale.ROOT, "round %d: best candidate removes layer %d: accuracy %.4f (floor %s); %s%n",
                        r.path("round").asInt(), winner, won == null ? Double.NaN : won.path("accuracy").asDouble(),
                        e.path("floor").isNumber() ? String.format(Locale.ROOT, "%.4f", e.path("floor").asDouble()) : "?",
                        r.path("accepted").asBoolean() ? "accepted" : "below the floor, search stops");
                err.flush();
            }
            case "submitted" -> say("job " + e.path("jobId").asText() + " queued");
            case "succeeded", "failed", "cancelled" -> {
                close();
                say("job " + e.path("jobId").asText() + " " + type + (e.hasNonNull("error") ? ": " + e.path("error").asText() : ""));
                return true;
            }
            default -> { }
        }
        return false;
    }

    private void say(String line) {
        close();
        err.println(line);
        err.flush();
    }

    /** The step ended (the next one began, or its round was decided): its bar shows all of its work done. */
    private void finish() {
        if (bar != null) bar.stepTo(bar.getMax());
        close();
    }

    private synchronized void close() {
        if (bar != null) bar.close();
        bar = null;
        barKey = null;
    }
}
