package tale.core.analysis;

import de.bwaldvogel.liblinear.Feature;
import de.bwaldvogel.liblinear.FeatureNode;
import de.bwaldvogel.liblinear.Linear;
import de.bwaldvogel.liblinear.Model;
import de.bwaldvogel.liblinear.Parameter;
import de.bwaldvogel.liblinear.Problem;
import de.bwaldvogel.liblinear.SolverType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import tale.core.InputException;

/**
 * Mutual information between features and a class label, estimated with a probe: I(X;Y) = H(Y) - H(Y|X) in
 * bits, where H(Y) is the entropy of the labels' empirical distribution and H(Y|X) the probe's held-out
 * cross-entropy (mean -log2 p(y|x) over examples, each predicted by a probe that never saw it). Since the
 * probe's cross-entropy bounds H(Y|X) from above, the estimate is a lower bound on the information a linear
 * read-out finds; it is clipped to [0, H(Y)].
 *
 * <p>The probe: features standardized with the training folds' mean and deviation; L2-regularized logistic
 * regression (liblinear, {@link SolverType#L2R_LR}); k-fold cross-validation, stratified by label. liblinear's
 * multi-class models are one-vs-rest, whose raw probabilities do not sum to the truth and overfit in high
 * dimension, so the decision values are turned into probabilities by a softmax with one temperature
 * (temperature scaling), fitted on the held-out decision values of the <em>other</em> folds: no example's
 * probability depends on its own label.
 */
public final class ProbeMutualInformation {

    /**
     * @param folds cross-validation folds (fewer when there are fewer examples)
     * @param c     liblinear's inverse regularization strength
     * @param seed  seed of the fold assignment
     */
    public record Options(int folds, double c, long seed) {

        public static final int DEFAULT_FOLDS = 5;
        public static final double DEFAULT_C = 1.0;

        public Options {
            if (folds < 2) throw new InputException("--folds must be at least 2, got " + folds);
            if (!(c > 0)) throw new InputException("the probe's C must be positive, got " + c);
        }

        public static Options defaults(long seed) {
            return new Options(DEFAULT_FOLDS, DEFAULT_C, seed);
        }
    }

    /**
     * @param bits                 the estimate, in [0, labelEntropyBits]
     * @param labelEntropyBits     H(Y)
     * @param crossEntropyBits     the probe's held-out cross-entropy, the estimate of H(Y|X) (not clipped)
     * @param probeAccuracy        held-out accuracy of the probe's most likely class
     */
    public record Estimate(double bits, double labelEntropyBits, double crossEntropyBits, double probeAccuracy) { }

    private static final double LN2 = Math.log(2);
    private static final double MAX_INVERSE_TEMPERATURE = 1e3;

    private final Options options;

    public ProbeMutualInformation(Options options) {
        this.options = options;
    }

    /** H(Y) in bits of the empirical distribution of {@code labels} (class ids 0..K-1). */
    public static double entropyBits(int[] labels) {
        int classes = Arrays.stream(labels).max().orElse(-1) + 1;
        int[] counts = new int[classes];
        for (int y : labels) counts[y]++;
        double h = 0;
        for (int n : counts) {
            if (n > 0) {
                double p = (double) n / labels.length;
                h -= p * Math.log(p) / LN2;
            }
        }
        return h;
    }

    /**
     * The estimate for features {@code x} ([example][feature]) and labels {@code y} (class ids 0..K-1).
     * Needs at least two examples.
     */
    public Estimate estimate(float[][] x, int[] y) {
        int n = y.length;
        if (x.length != n) throw new IllegalArgumentException(x.length + " feature rows for " + n + " labels");
        if (n < 2) throw new InputException("mutual information needs at least 2 examples, got " + n);
        double hy = entropyBits(y);
        if (hy == 0) return new Estimate(0, 0, 0, 1); // one class: nothing to learn, nothing to know
        int classes = Arrays.stream(y).max().getAsInt() + 1;
        int[] fold = stratifiedFolds(y, Math.min(options.folds(), n));
        int folds = Arrays.stream(fold).max().getAsInt() + 1;
        double[][] decisions = new double[n][];
        for (int f = 0; f < folds; f++) {
            double[][] heldOut = decisionValues(x, y, fold, f, classes);
            int k = 0;
            for (int i = 0; i < n; i++) if (fold[i] == f) decisions[i] = heldOut[k++];
        }
        double nats = 0;
        int right = 0;
        for (int f = 0; f < folds; f++) {
            double beta = fitInverseTemperature(decisions, y, fold, f);
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) continue;
                double[] logP = logSoftmax(decisions[i], beta);
                nats -= logP[y[i]];
                if (argmax(logP) == y[i]) right++;
            }
        }
        double crossEntropy = nats / n / LN2;
        double bits = Math.max(0, Math.min(hy, hy - crossEntropy));
        return new Estimate(bits, hy, crossEntropy, (double) right / n);
    }

    /** Fold of each example: shuffled by the seed, then dealt round-robin class by class. */
    private int[] stratifiedFolds(int[] y, int folds) {
        Integer[] order = new Integer[y.length];
        for (int i = 0; i < y.length; i++) order[i] = i;
        List<Integer> shuffled = new ArrayList<>(Arrays.asList(order));
        java.util.Collections.shuffle(shuffled, new Random(options.seed()));
        shuffled.sort(Comparator.comparingInt(i -> y[i])); // stable: shuffled within each class
        int[] fold = new int[y.length];
        for (int k = 0; k < shuffled.size(); k++) fold[shuffled.get(k)] = k % folds;
        return fold;
    }

    /**
     * Trains on every fold but {@code heldOut} and returns the held-out examples' decision values per class
     * (zero for a class the training folds lack), in example order.
     */
    private double[][] decisionValues(float[][] x, int[] y, int[] fold, int heldOut, int classes) {
        int d = x[0].length;
        double[] mean = new double[d], sd = new double[d];
        int trainCount = 0;
        for (int i = 0; i < x.length; i++) {
            if (fold[i] == heldOut) continue;
            trainCount++;
            for (int j = 0; j < d; j++) mean[j] += x[i][j];
        }
        for (int j = 0; j < d; j++) mean[j] /= trainCount;
        for (int i = 0; i < x.length; i++) {
            if (fold[i] == heldOut) continue;
            for (int j = 0; j < d; j++) sd[j] += (x[i][j] - mean[j]) * (x[i][j] - mean[j]);
        }
        for (int j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] / trainCount);

        Problem p = new Problem();
        p.l = trainCount;
        p.n = d + 1; // the last feature is the constant 1 of the bias
        p.bias = 1;
        p.x = new Feature[trainCount][];
        p.y = new double[trainCount];
        boolean oneClass = true;
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (fold[i] == heldOut) continue;
            p.x[k] = standardized(x[i], mean, sd);
            p.y[k] = y[i];
            oneClass &= p.y[k] == p.y[0];
            k++;
        }
        List<double[]> out = new ArrayList<>();
        Model model = oneClass ? null : train(p);
        for (int i = 0; i < x.length; i++) {
            if (fold[i] != heldOut) continue;
            double[] scores = new double[classes];
            if (model != null) {
                int[] labels = model.getLabels();
                double[] dec = new double[labels.length];
                Linear.predictValues(model, standardized(x[i], mean, sd), dec);
                if (labels.length == 2) {
                    // One decision value for labels[0]; the symmetric pair makes softmax equal its sigmoid.
                    scores[labels[0]] = dec[0] / 2;
                    scores[labels[1]] = -dec[0] / 2;
                } else {
                    for (int c = 0; c < labels.length; c++) scores[labels[c]] = dec[c];
                }
            }
            out.add(scores);
        }
        return out.toArray(double[][]::new);
    }

    private Model train(Problem p) {
        Parameter param = new Parameter(SolverType.L2R_LR, options.c(), 0.01);
        synchronized (ProbeMutualInformation.class) { // liblinear's debug switch is global
            Linear.disableDebugOutput();
            return Linear.train(p, param);
        }
    }

    private static Feature[] standardized(float[] row, double[] mean, double[] sd) {
        Feature[] f = new Feature[row.length + 1];
        for (int j = 0; j < row.length; j++) {
            f[j] = new FeatureNode(j + 1, sd[j] > 0 ? (row[j] - mean[j]) / sd[j] : 0);
        }
        f[row.length] = new FeatureNode(row.length + 1, 1);
        return f;
    }

    /**
     * The inverse temperature minimizing the cross-entropy of softmax(beta * decisions) on the examples outside
     * fold {@code heldOut}; the loss is convex in beta, so a golden-section search finds the minimum.
     */
    private static double fitInverseTemperature(double[][] decisions, int[] y, int[] fold, int heldOut) {
        double lo = 0, hi = MAX_INVERSE_TEMPERATURE;
        double g = (Math.sqrt(5) - 1) / 2;
        double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
        double fa = loss(decisions, y, fold, heldOut, a), fb = loss(decisions, y, fold, heldOut, b);
        for (int it = 0; it < 200 && hi - lo > 1e-6; it++) {
            if (fa <= fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - g * (hi - lo);
                fa = loss(decisions, y, fold, heldOut, a);
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + g * (hi - lo);
                fb = loss(decisions, y, fold, heldOut, b);
            }
        }
        return (lo + hi) / 2;
    }

    private static double loss(double[][] decisions, int[] y, int[] fold, int heldOut, double beta) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            if (fold[i] != heldOut) sum -= logSoftmax(decisions[i], beta)[y[i]];
        }
        return sum;
    }

    private static double[] logSoftmax(double[] scores, double beta) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) max = Math.max(max, beta * s);
        double z = 0;
        for (double s : scores) z += Math.exp(beta * s - max);
        double logZ = max + Math.log(z);
        double[] out = new double[scores.length];
        for (int c = 0; c < scores.length; c++) out[c] = beta * scores[c] - logZ;
        return out;
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
