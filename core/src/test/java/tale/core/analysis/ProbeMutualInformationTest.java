package tale.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import tale.core.InputException;

/** The probe's estimate on synthetic hidden states whose label information is known. */
class ProbeMutualInformationTest {

    static final int EXAMPLES = 240;
    static final int WIDTH = 32;
    static final int BOUNDARIES = 7;

    final ProbeMutualInformation probe = new ProbeMutualInformation(ProbeMutualInformation.Options.defaults(3));

    /** Gaussian noise at every boundary; at {@code planted} the label shifts a few coordinates by {@code strength}. */
    static float[][][] states(int[] y, int planted, double strength, long seed) {
        Random rnd = new Random(seed);
        float[][][] x = new float[BOUNDARIES][y.length][WIDTH];
        for (int k = 0; k < BOUNDARIES; k++) {
            for (int i = 0; i < y.length; i++) {
                for (int j = 0; j < WIDTH; j++) x[k][i][j] = (float) rnd.nextGaussian();
                if (k == planted) {
                    for (int j = 0; j < 3; j++) x[k][i][(y[i] + j * 5) % WIDTH] += (float) strength;
                }
            }
        }
        return x;
    }

    static int[] labels(int classes, long seed) {
        Random rnd = new Random(seed);
        int[] y = new int[EXAMPLES];
        for (int i = 0; i < y.length; i++) y[i] = rnd.nextInt(classes);
        return y;
    }

    @Test
    void peaksAtTheLayerWhereTheLabelIsPlanted() {
        for (int classes : new int[] {2, 4}) {
            for (int planted : new int[] {1, 4}) {
                int[] y = labels(classes, 10L * classes + planted);
                float[][][] x = states(y, planted, 2.0, planted);
                double h = ProbeMutualInformation.entropyBits(y);
                double[] bits = new double[BOUNDARIES];
                for (int k = 0; k < BOUNDARIES; k++) {
                    ProbeMutualInformation.Estimate e = probe.estimate(x[k], y);
                    bits[k] = e.bits();
                    assertEquals(h, e.labelEntropyBits(), 1e-12);
                    assertTrue(bits[k] >= 0 && bits[k] <= h, "in [0, H(Y)]: " + e);
                }
                int peak = 0;
                for (int k = 1; k < BOUNDARIES; k++) if (bits[k] > bits[peak]) peak = k;
                assertEquals(planted, peak, classes + " classes: " + java.util.Arrays.toString(bits));
                assertTrue(bits[planted] > 0.5 * h, "most of the label is recovered: " + bits[planted] + " of " + h);
                for (int k = 0; k < BOUNDARIES; k++) {
                    if (k != planted) assertTrue(bits[k] < 0.1 * h, "noise carries little: " + java.util.Arrays.toString(bits));
                }
            }
        }
    }

    @Test
    void aLabelThatIsAFunctionOfTheFeaturesIsNearlyAllInformation() {
        int[] y = labels(2, 5);
        float[][][] x = states(y, 0, 8.0, 5);
        ProbeMutualInformation.Estimate e = probe.estimate(x[0], y);
        assertTrue(e.bits() > 0.9 * e.labelEntropyBits() && e.bits() <= e.labelEntropyBits(), e.toString());
        assertTrue(e.probeAccuracy() > 0.99, e.toString());
    }

    @Test
    void entropyOfTheLabels() {
        assertEquals(1.0, ProbeMutualInformation.entropyBits(new int[] {0, 1, 0, 1}), 1e-12);
        assertEquals(2.0, ProbeMutualInformation.entropyBits(new int[] {0, 1, 2, 3}), 1e-12);
        assertEquals(0.0, ProbeMutualInformation.entropyBits(new int[] {1, 1, 1}), 1e-12);
    }

    @Test
    void oneClassCarriesNoInformationAndOneExampleIsAnError() {
        assertEquals(0.0, probe.estimate(new float[][] {{1f}, {2f}, {3f}}, new int[] {0, 0, 0}).bits());
        assertThrows(InputException.class, () -> probe.estimate(new float[][] {{1f}}, new int[] {0}));
        assertThrows(InputException.class, () -> new ProbeMutualInformation.Options(1, 1.0, 0));
    }
}
