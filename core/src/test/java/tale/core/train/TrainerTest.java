package tale.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The schedule and the length batching, without the engine. */
class TrainerTest {

    @Test
    void warmUpRisesLinearlyThenCosineFallsToTheFloor() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3f, 10, 110, 0.1f);
        assertEquals(1e-4f, s.getNewValue(1), 1e-9f);
        assertEquals(5e-4f, s.getNewValue(5), 1e-9f);
        assertEquals(1e-3f, s.getNewValue(10), 1e-9f);
        assertEquals(0.55e-3f, s.getNewValue(60), 1e-8f, "half way through the decay: the mean of peak and floor");
        assertEquals(1e-4f, s.getNewValue(110), 1e-9f);
        for (int step = 11; step < 110; step++) assertTrue(s.getNewValue(step + 1) <= s.getNewValue(step), "decreasing at " + step);
    }

    @Test
    void batchesGroupSimilarLengthsWithinTheLimitsAndDependOnTheSeed() {
        SplittableRandom random = new SplittableRandom(1);
        List<TrainingSequence> data = new ArrayList<>();
        for (int i = 0; i < 200; i++) data.add(new TrainingSequence(new int[1 + random.nextInt(60)], new int[] {0}, new int[] {0}));
        Trainer.Options o = Trainer.Options.defaults().withBatchSize(16);
        o = new Trainer.Options(o.epochs(), 0, o.learningRate(), o.warmup(), o.minRatio(), o.weightDecay(), o.clipNorm(), 16, 300, 7);
        List<List<TrainingSequence>> batches = Trainer.batches(data, o);
        assertEquals(200, batches.stream().mapToInt(List::size).sum());
        int previousLongest = 0;
        for (List<TrainingSequence> b : batches) {
            int longest = b.stream().mapToInt(TrainingSequence::length).max().orElseThrow();
            int shortest = b.stream().mapToInt(TrainingSequence::length).min().orElseThrow();
            assertTrue(b.size() <= 16 && (b.size() == 1 || (long) longest * b.size() <= 300), "within limits");
            assertTrue(shortest >= previousLongest, "sorted by length");
            previousLongest = longest;
        }
        assertEquals(batches, Trainer.batches(data, o), "same seed, same batches");
    }
}
