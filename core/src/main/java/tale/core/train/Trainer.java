package tale.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tale.core.InputException;
import tale.core.model.ForwardState;
import tale.core.model.Model;

/**
 * Trains with the runtime's own forward ({@link Model#withTensors}) under DJL autograd: AdamW (no decay on
 * norms and biases), linear warm-up and cosine decay, clipping by global gradient norm, batches of similar
 * length in a seeded order, mean cross-entropy over the marked target positions only. The same seed, data and
 * thread count give bitwise the same weights. DJL allows one gradient collector per process: one training run at
 * a time.
 */
public final class Trainer {

    /**
     * @param epochs       passes over the data
     * @param maxSteps     stop after this many steps (0: no limit)
     * @param learningRate peak rate
     * @param warmup       fraction of the steps spent warming up
     * @param minRatio     final rate as a fraction of the peak
     * @param weightDecay  AdamW decay of matrices
     * @param clipNorm     global gradient norm limit (0: none)
     * @param batchSize    most sequences per step
     * @param batchTokens  most padded tokens per step
     * @param seed         seed of the batch order
     */
    public record Options(int epochs, int maxSteps, float learningRate, float warmup, float minRatio, float weightDecay,
                          float clipNorm, int batchSize, int batchTokens, long seed) {

        public Options {
            if (epochs < 1) throw new InputException("--epochs must be at least 1, got " + epochs);
            if (maxSteps < 0) throw new InputException("--max-steps must not be negative, got " + maxSteps);
            if (!(learningRate > 0)) throw new InputException("--lr must be positive, got " + learningRate);
            if (batchSize < 1 || batchTokens < 1) throw new InputException("--batch-size and batch tokens must be positive");
        }

        public static Options defaults() {
            return new Options(3, 0, 1e-3f, 0.05f, 0.1f, 0.01f, 1.0f, 16, 4096, 0);
        }

        public Options withEpochs(int n) {
            return new Options(n, maxSteps, learningRate, warmup, minRatio, weightDecay, clipNorm, batchSize, batchTokens, seed);
        }

        public Options withMaxSteps(int n) {
            return new Options(epochs, n, learningRate, warmup, minRatio, weightDecay, clipNorm, batchSize, batchTokens, seed);
        }

        public Options withLearningRate(float lr) {
            return new Options(epochs, maxSteps, lr, warmup, minRatio, weightDecay, clipNorm, batchSize, batchTokens, seed);
        }

        public Options withBatchSize(int n) {
            return new Options(epochs, maxSteps, learningRate, warmup, minRatio, weightDecay, clipNorm, n, batchTokens, seed);
        }

        public Options withSeed(long s) {
            return new Options(epochs, maxSteps, learningRate, warmup, minRatio, weightDecay, clipNorm, batchSize, batchTokens, s);
        }
    }

    /** Hears each finished step. */
    public interface Listener {
        void onStep(int step, int totalSteps, float loss, int sequences);
    }

    /**
     * What a run did: steps, the mean loss of the first and last tenth of the steps, wall time, and the CPU time
     * of the training thread. With one engine thread the engine computes on the calling thread, so CPU time
     * measures the work itself, unlike wall time on a machine other people load: compare costs with it.
     */
    public record Result(int steps, long sequences, float firstLoss, float lastLoss, double seconds, double cpuSeconds) { }

    private static final boolean PROFILE = Boolean.getBoolean("tale.train.profile");

    private Trainer() { }

    /** Trains {@code weights} (of {@code model}) on {@code data}. */
    public static Result train(Model model, TrainableWeights weights, List<TrainingSequence> data, Options o,
                               Listener listener) {
        if (data.isEmpty()) throw new InputException("no training data");
        List<List<TrainingSequence>> batches = batches(data, o);
        int total = o.epochs() * batches.size();
        if (o.maxSteps() > 0) total = Math.min(total, o.maxSteps());
        LearningRateSchedule schedule = new LearningRateSchedule(o.learningRate(), Math.round(o.warmup() * total), total,
                o.minRatio());
        Optimizer decayed = Optimizer.adamW().optLearningRateTracker(schedule).optWeightDecays(o.weightDecay()).build();
        Optimizer undecayed = Optimizer.adamW().optLearningRateTracker(schedule).optWeightDecays(0f).build();
        Random order = new Random(o.seed());
        float[] losses = new float[total];
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long sequences = 0;
        long start = System.nanoTime();
        int step = 0;
        for (int epoch = 0; epoch < o.epochs() && step < total; epoch++) {
            List<List<TrainingSequence>> shuffled = new ArrayList<>(batches);
            java.util.Collections.shuffle(shuffled, order);
            for (List<TrainingSequence> batch : shuffled) {
                if (step >= total) break;
                losses[step] = step(model, weights, batch, o.clipNorm(), decayed, undecayed);
                sequences += batch.size();
                step++;
                listener.onStep(step, total, losses[step - 1], batch.size());
            }
        }
        int tenth = Math.max(1, total / 10);
        return new Result(total, sequences, mean(losses, 0, tenth), mean(losses, total - tenth, total),
                (System.nanoTime() - start) / 1e9, (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9);
    }

    /** The loss of one batch: mean negative log-likelihood of its targets (no update). */
    public static NDArray loss(Model view, NDManager scope, List<TrainingSequence> batch) {
        List<int[]> tokens = batch.stream().map(TrainingSequence::tokens).toList();
        ForwardState state = view.start(tokens);
        state.runAll(view.fullMask());
        NDArray logProbs = state.logProbsTensor(scope, batch.stream().map(TrainingSequence::positions).toList(),
                batch.stream().map(TrainingSequence::targets).toList());
        NDArray loss = logProbs.mean().neg();
        // the state's manager (and with it the activations) is freed with the scope; autograd keeps what it needs
        state.close();
        return loss;
    }

    private static float step(Model model, TrainableWeights weights, List<TrainingSequence> batch, float clipNorm,
                              Optimizer decayed, Optimizer undecayed) {
        Map<String, NDArray> params = weights.trainable();
        float lossValue;
        try (NDManager scope = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                Model view = model.withTensors(weights.forStep(scope), scope);
                NDArray loss = loss(view, scope, batch);
                long t1 = System.nanoTime();
                collector.backward(loss);
                if (PROFILE) System.err.printf("fwd %.1f ms bwd %.1f ms%n", (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
                lossValue = loss.toType(DataType.FLOAT32, false).getFloat();
            }
            List<NDArray> grads = new ArrayList<>();
            double squared = 0;
            for (NDArray p : params.values()) {
                NDArray g = p.getGradient();
                g.attach(scope);
                grads.add(g);
                squared += g.square().sum().toType(DataType.FLOAT64, false).getDouble();
            }
            double norm = Math.sqrt(squared);
            if (clipNorm > 0 && norm > clipNorm) {
                NDArray factor = scope.create((float) (clipNorm / norm));
                for (NDArray g : grads) g.muli(factor.toType(g.getDataType(), false));
            }
            long t2 = System.nanoTime();
            int i = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray g = grads.get(i++);
                Optimizer opt = e.getValue().getShape().dimension() >= 2 ? decayed : undecayed;
                opt.update(e.getKey(), e.getValue(), g);
                g.subi(g); // gradients accumulate across backward passes: start the next step from zero
            }
            if (PROFILE) System.err.printf("opt %.1f ms%n", (System.nanoTime() - t2) / 1e6);
        }
        return lossValue;
    }

    /** Sequences sorted by length (ties in seeded order) and cut into batches within the size limits. */
    static List<List<TrainingSequence>> batches(List<TrainingSequence> data, Options o) {
        List<TrainingSequence> sorted = new ArrayList<>(data);
        java.util.Collections.shuffle(sorted, new Random(o.seed() ^ 0x5DEECE66DL));
        sorted.sort(Comparator.comparingInt(TrainingSequence::length));
        List<List<TrainingSequence>> out = new ArrayList<>();
        List<TrainingSequence> current = new ArrayList<>();
        for (TrainingSequence s : sorted) {
            int width = Math.max(s.length(), current.isEmpty() ? 0 : current.get(current.size() - 1).length());
            if (!current.isEmpty() && (current.size() >= o.batchSize() || (long) width * (current.size() + 1) > o.batchTokens())) {
                out.add(current);
                current = new ArrayList<>();
            }
            current.add(s);
        }
        if (!current.isEmpty()) out.add(current);
        return out;
    }

    private static float mean(float[] v, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += v[i];
        return (float) (s / Math.max(1, to - from));
    }
}
