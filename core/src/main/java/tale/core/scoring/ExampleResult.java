package tale.core.scoring;

/**
 * The score of one example, kept per example so that later analysis can pair two evaluations row by row.
 *
 * @param index          the example's row index in its file
 * @param prediction     the parsed answer (a label, or a normalized final answer); "" when invalid
 * @param gold           the right answer
 * @param correct        whether the prediction is right
 * @param margin         log p(gold label) - max log p(wrong label) (of answer texts in loglik mode); NaN when
 *                       not computed (generative tasks, labels longer than one token in generate mode)
 * @param invalid        the generated text held no parsable answer (generate mode only)
 * @param output         the generated text (generate mode); null otherwise
 * @param predictionNorm the length-normalized prediction (loglik mode); null otherwise
 */
public record ExampleResult(int index, String prediction, String gold, boolean correct, double margin,
                            boolean invalid, String output, String predictionNorm) {

    /** Whether the length-normalized prediction is right; the plain one outside loglik mode. */
    public boolean correctNorm() {
        return predictionNorm == null ? correct : predictionNorm.equals(gold);
    }
}
