package tale.core.train;

/**
 * One training row: the tokens fed to the model, and where the loss applies. Entry j says that the logits at
 * {@code positions[j]} should predict {@code targets[j]}: the answer's tokens after the prompt, and optionally
 * intermediate values a generator supervises (e.g. each sub-expression's value at its last word). Positions
 * outside {@code positions} carry no loss.
 */
public record TrainingSequence(int[] tokens, int[] positions, int[] targets) {

    public TrainingSequence {
        if (positions.length != targets.length) throw new IllegalArgumentException("positions and targets differ in length");
        if (positions.length == 0) throw new IllegalArgumentException("a training sequence needs at least one target");
        for (int p : positions) {
            if (p < 0 || p >= tokens.length) throw new IllegalArgumentException("target position " + p + " outside " + tokens.length + " tokens");
        }
    }

    public int length() {
        return tokens.length;
    }
}
