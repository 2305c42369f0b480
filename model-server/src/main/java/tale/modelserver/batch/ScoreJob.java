package tale.modelserver.batch;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import tale.modelserver.model.Deployment;

/**
 * Log-likelihood of each choice continuing a prompt: for choice c, the sum over its tokens of
 * log p(token | prompt, earlier tokens of c), from one forward over prompt + c.
 */
public final class ScoreJob implements Job {

    /** Per choice, the log-probability of each of its tokens. */
    public record Result(List<float[]> tokenLogProbs, Deployment deployment) { }

    private final int[] prompt;
    private final List<int[]> choices;
    private final Deployment deployment;
    private final CompletableFuture<Result> result = new CompletableFuture<>();

    public ScoreJob(int[] prompt, List<int[]> choices, Deployment deployment) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt needs at least one token");
        for (int[] c : choices) if (c.length == 0) throw new IllegalArgumentException("a choice has no tokens");
        this.prompt = prompt;
        this.choices = List.copyOf(choices);
        this.deployment = deployment;
    }

    @Override
    public Deployment deployment() {
        return deployment;
    }

    public CompletableFuture<Result> result() {
        return result;
    }

    int[] prompt() {
        return prompt;
    }

    List<int[]> choices() {
        return choices;
    }

    void complete(List<float[]> logProbs) {
        result.complete(new Result(logProbs, deployment));
    }

    @Override
    public void fail(Throwable error) {
        result.completeExceptionally(error);
    }
}
