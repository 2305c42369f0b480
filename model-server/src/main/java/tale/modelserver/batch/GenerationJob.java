package tale.modelserver.batch;

import java.util.Arrays;
import org.jboss.logging.Logger;
import tale.modelserver.model.Deployment;

/**
 * One greedy generation request. Its sink hears each token on the scheduler's thread (for streaming) and
 * then exactly one of {@code finished} or {@code failed}.
 */
public final class GenerationJob implements Job {

    /** Where a job's progress goes. Calls come from the scheduler's thread, in order. */
    public interface Sink {
        void token(int token);

        void finished(Result result);

        void failed(Throwable error);
    }

    /** A finished generation: its tokens (no stop token), why it ended, and the deployment it ran under. */
    public record Result(int[] tokens, FinishReason reason, Deployment deployment, long queuedNanos, long runNanos) { }

    private static final Logger LOG = Logger.getLogger(GenerationJob.class);

    private final int[] prompt;
    private final int maxTokens;
    private final boolean ignoreEos;
    private final Deployment deployment;
    private final Sink sink;
    private final long admitted = System.nanoTime();
    private long started;
    private int[] tokens = new int[16];
    private int count;
    private boolean done;

    public GenerationJob(int[] prompt, int maxTokens, boolean ignoreEos, Deployment deployment, Sink sink) {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be positive");
        this.prompt = prompt;
        this.maxTokens = maxTokens;
        this.ignoreEos = ignoreEos;
        this.deployment = deployment;
        this.sink = sink;
    }

    @Override
    public Deployment deployment() {
        return deployment;
    }

    int[] prompt() {
        return prompt;
    }

    int maxTokens() {
        return maxTokens;
    }

    boolean ignoreEos() {
        return ignoreEos;
    }

    boolean done() {
        return done;
    }

    int produced() {
        return count;
    }

    void started() {
        started = System.nanoTime();
    }

    /** A token of this job's sequence; beyond max_tokens (the batch runs to its longest job) it is dropped. */
    void accept(int token) {
        if (done) return;
        if (count == tokens.length) tokens = Arrays.copyOf(tokens, count * 2);
        tokens[count++] = token;
        deliver(() -> sink.token(token));
        if (count == maxTokens) finish(FinishReason.LENGTH);
    }

    void finish(FinishReason reason) {
        if (done) return;
        done = true;
        long now = System.nanoTime();
        Result result = new Result(Arrays.copyOf(tokens, count), reason, deployment, started - admitted, now - started);
        deliver(() -> sink.finished(result));
    }

    @Override
    public void fail(Throwable error) {
        if (done) return;
        done = true;
        deliver(() -> sink.failed(error));
    }

    /** A sink that fails (its client went away) loses its job; the rest of the batch goes on. */
    private void deliver(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.debugf(e, "dropping a generation whose client failed");
            done = true;
        }
    }
}
