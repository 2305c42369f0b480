package tale.core.search;

import tale.core.InputException;

/**
 * Racing: a round scores every candidate on a first shard of examples, drops the candidates that are clearly
 * behind the leader, and continues the survivors on further shards; the winner is chosen among the survivors
 * on the whole split, so the accepted configuration's accuracy is exact. Shards double: the checks happen
 * after {@code firstShard}, {@code 2 firstShard}, {@code 4 firstShard}, ... examples (while fewer than all).
 *
 * <p>The statistic: for a candidate c and the current leader (best objective on the examples seen so far,
 * lowest layer on ties), the paired differences d_i = x_leader,i - x_c,i over the n examples seen, where x is
 * correctness (0/1) for the accuracy objective and the gold margin for the margin objective. c is dropped when
 * the lower confidence bound of the mean difference is above zero:
 * mean(d) - z * sd(d) / sqrt(n) > 0 (normal approximation, sample standard deviation). z is the one-sided
 * normal quantile at 1 - (1 - confidence) / (comparisons x checks) (a Bonferroni correction over the
 * candidates compared with the leader and the checks of the round), so with the default confidence 0.95 the
 * chance that a round drops any candidate that is not behind is about 5% or less under the approximation.
 *
 * @param enabled    whether rounds race at all ({@link #OFF} scores every candidate on every example)
 * @param firstShard examples in the first shard (at least 2)
 * @param confidence confidence level of the bound, in (0, 1)
 */
public record Racing(boolean enabled, int firstShard, double confidence) {

    /** Examples in the first shard unless a search says otherwise ({@code --race-shard}). */
    public static final int DEFAULT_FIRST_SHARD = 64;
    /** Confidence of the bound unless a search says otherwise ({@code --race-confidence}). */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    public static final Racing OFF = new Racing(false, DEFAULT_FIRST_SHARD, DEFAULT_CONFIDENCE);

    public static Racing on(int firstShard, double confidence) {
        return new Racing(true, firstShard, confidence);
    }

    public Racing {
        if (firstShard < 2) throw new InputException("--race-shard must be at least 2, got " + firstShard);
        if (!(confidence > 0 && confidence < 1)) {
            throw new InputException("--race-confidence must lie strictly between 0 and 1, got " + confidence);
        }
    }

    /** Numbers of examples after which a round of {@code total} examples checks its candidates. */
    int[] checkpoints(int total) {
        if (!enabled) return new int[0];
        int count = 0;
        for (long n = firstShard; n < total; n *= 2) count++;
        int[] out = new int[count];
        long n = firstShard;
        for (int i = 0; i < count; i++, n *= 2) out[i] = (int) n;
        return out;
    }

    /** The z of the bound for a round comparing {@code comparisons} candidates with the leader. */
    double z(int comparisons, int checks) {
        double alpha = (1 - confidence) / Math.max(1, (long) comparisons * checks);
        return Normal.quantile(1 - alpha);
    }

    /**
     * Whether {@code other} is behind {@code leader}: the lower bound of the mean paired difference over the
     * first {@code n} examples is above zero.
     */
    static boolean behind(double[] leader, double[] other, int n, double z) {
        if (n < 2) return false;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += leader[i] - other[i];
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double d = leader[i] - other[i] - mean;
            ss += d * d;
        }
        double sd = Math.sqrt(ss / (n - 1));
        return mean - z * sd / Math.sqrt(n) > 0;
    }
}
