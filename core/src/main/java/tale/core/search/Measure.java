package tale.core.search;

/**
 * Totals of one configuration on some examples. Sums are accumulated in example order, so two evaluations
 * with equal per-example results give bit-identical measures.
 *
 * @param examples  examples scored
 * @param correct   examples answered correctly
 * @param marginSum sum of the gold margins (NaN when the scoring gives none)
 */
public record Measure(int examples, int correct, double marginSum) {

    public double accuracy() {
        return examples == 0 ? 0 : (double) correct / examples;
    }

    public double meanMargin() {
        return examples == 0 ? Double.NaN : marginSum / examples;
    }

    /** The value a round ranks by; NaN (no margins) ranks below everything. */
    public double score(Objective objective) {
        double v = objective == Objective.ACCURACY ? accuracy() : meanMargin();
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }
}
