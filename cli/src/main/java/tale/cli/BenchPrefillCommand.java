package tale.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tale.core.InputException;
import tale.core.model.Djl;
import tale.core.model.ForwardState;
import tale.core.model.Model;
import tale.core.model.ModelConfig;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;

/**
 * Prefill throughput of the runtime against the machine's own f32 matmul rate, measured side by side
 * in one run (a benchmark, not a test: this machine is shared and noisy, so only ratios mean much).
 */
@Command(name = "bench-prefill", mixinStandardHelpOptions = true,
        description = "Prefill tokens/s and GFLOP/s as a fraction of a plain f32 matmul's, on a Qwen2.5-0.5B-shaped model.")
final class BenchPrefillCommand implements Callable<Integer> {

    @Option(names = "--model", description = "checkpoint to measure (default: a random Qwen2.5-0.5B-shaped model, generated once)")
    Path model;
    @Option(names = "--cache", defaultValue = "${sys:user.home}/.cache/tale/bench",
            description = "where the generated model is kept (default: ${DEFAULT-VALUE})")
    Path cache;
    @Option(names = "--shapes", defaultValue = "1x128,4x128,1x512,8x64", split = ",",
            description = "batch x length shapes (default: ${DEFAULT-VALUE})")
    List<String> shapes;
    @Option(names = "--repeats", defaultValue = "3", description = "timed runs per shape; the best is reported")
    int repeats;

    @Override
    public Integer call() throws Exception {
        Path dir = model != null ? model : qwenShaped();
        try (Model m = Model.load(dir)) {
            ModelConfig c = m.config();
            System.out.printf("model %s: %d layers, hidden %d, %d heads / %d kv, intermediate %d, vocab %d; threads %s%n",
                    dir, c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.intermediateSize(),
                    c.vocabSize(), System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
            System.out.printf("%-8s %12s %12s %14s %8s%n", "shape", "tokens/s", "GFLOP/s", "matmul GFLOP/s", "ratio");
            for (String shape : shapes) {
                String[] bt = shape.toLowerCase().split("x");
                if (bt.length != 2) throw new InputException("--shapes entry \"" + shape + "\" is not BATCHxLENGTH");
                int batch = Integer.parseInt(bt[0].trim()), length = Integer.parseInt(bt[1].trim());
                List<int[]> seqs = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    int[] s = new int[length];
                    for (int t = 0; t < length; t++) s[t] = (b * 7919 + t * 104729) % 250;
                    seqs.add(s);
                }
                List<int[]> last = seqs.stream().map(s -> new int[] {s.length - 1}).toList();
                double prefill = best(() -> {
                    try (ForwardState st = m.start(seqs)) {
                        st.runAll(m.fullMask()).logitsAt(last);
                    }
                });
                double flops = prefillFlops(c, batch, length);
                double matmul = matmulGflops(batch * length, c.hiddenSize(), c.intermediateSize());
                double gflops = flops / prefill / 1e9;
                System.out.printf("%-8s %12.1f %12.1f %14.1f %8.2f%n", shape, batch * length / prefill, gflops, matmul, gflops / matmul);
            }
        }
        return 0;
    }

    /** FLOPs the prefill performs: every linear layer on every token, attention scores and mixing, one LM-head row per sequence. */
    static double prefillFlops(ModelConfig c, int batch, int length) {
        long h = c.hiddenSize(), q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        double linear = 2.0 * (h * q + 2 * h * kv + q * h + 3 * h * c.intermediateSize());
        double attention = 4.0 * length * c.headDim() * c.numHeads(); // QK^T and AV over all T keys (the mask does not save work)
        return c.numLayers() * (linear + attention) * batch * length + 2.0 * h * c.vocabSize() * batch;
    }

    /** GFLOP/s of one plain [n, k] x [k, m] f32 matmul, the shape of the model's largest projection. */
    private double matmulGflops(int n, int k, int m) {
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray a = nd.randomUniform(-1, 1, new Shape(n, k));
            NDArray b = nd.randomUniform(-1, 1, new Shape(k, m));
            double seconds = best(() -> a.matMul(b).close());
            return 2.0 * n * k * m / seconds / 1e9;
        }
    }

    private double best(Runnable work) {
        work.run(); // warm-up
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            work.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private Path qwenShaped() throws Exception {
        Path dir = cache.resolve("qwen2.5-0.5b-shaped");
        if (!Files.exists(dir.resolve("config.json"))) {
            System.err.println("generating a random Qwen2.5-0.5B-shaped checkpoint in " + dir + " (once)...");
            Path partial = cache.resolve("qwen2.5-0.5b-shaped.partial");
            TinyCheckpoint.write(new TinyCheckpoint.Spec("qwen2", 24, 896, 14, 2, 0, 4864, 151936, 0, TensorType.BF16,
                    1, true, false, false, 0), partial);
            Files.move(partial, dir);
        }
        Djl.init();
        return dir;
    }
}
