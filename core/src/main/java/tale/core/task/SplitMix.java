package tale.core.task;

/**
 * SplitMix64 (Steele, Lea and Flood 2014), written out so that splits and demonstration draws depend only on
 * this arithmetic, never on a JDK's Random or hash iteration order: the same seed gives the same rows on
 * every machine and Java version.
 */
final class SplitMix {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;

    SplitMix(long seed) {
        this.state = seed;
    }

    long next() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, bound) (the modulo bias, below 2^-40 for any task size, is irrelevant here). */
    int nextInt(int bound) {
        return (int) Long.remainderUnsigned(next(), bound);
    }

    /** The {@code i}-th output of a generator seeded with {@code seed}: a stable hash of (seed, i). */
    static long hash(long seed, long i) {
        return mix(seed + (i + 1) * GOLDEN);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
