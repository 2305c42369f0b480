package tale.core.model;

import java.util.SplittableRandom;

/** Seeded normal draws that depend only on the seed (SplittableRandom has no nextGaussian in Java 17). */
public final class Gaussian {

    private Gaussian() { }

    /** A standard normal draw (Box-Muller). */
    public static double normal(SplittableRandom random) {
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** {@code n} draws of a normal with mean 0 and standard deviation {@code std}. */
    public static float[] floats(SplittableRandom random, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (std * normal(random));
        return v;
    }
}
