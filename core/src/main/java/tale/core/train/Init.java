package tale.core.train;

import java.util.SplittableRandom;

/** Seeded random numbers that depend only on the seed (SplittableRandom has no nextGaussian in Java 17). */
final class Init {

    private Init() { }

    /** A standard normal draw (Box-Muller). */
    static double normal(SplittableRandom random) {
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    static float[] gaussian(SplittableRandom random, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (std * normal(random));
        return v;
    }
}
