package tale.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.model.Djl;
import tale.core.model.Model;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;
import tale.core.scoring.Evaluation;
import tale.core.scoring.Evaluator;
import tale.core.scoring.ExampleResult;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Task;
import tale.core.task.Tasks;

/**
 * Items per second of generate scoring on a multiple-choice task, batched and one example at a time, measured
 * side by side in one run. Without --model it writes two random checkpoints to a temporary directory: a tiny
 * one and one shaped like Qwen2.5-0.5B (24 layers, hidden 896, 14 heads, 2 KV heads, intermediate 4864, vocab
 * 151936, tied embeddings; its tokenizer is byte-level, so prompts are longer than with the real one).
 */
@Command(name = "bench-eval", mixinStandardHelpOptions = true,
        description = "Benchmark generate scoring on a multiple-choice task: items/s batched vs one at a time, and the ratio.")
final class BenchEvalCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--data", required = true, description = "a multiple-choice task file, e.g. shared/data/tasks/arc_easy.jsonl") Path data;
    @Option(names = "--task", defaultValue = "arc_easy", description = "its task (default: ${DEFAULT-VALUE})") String taskName;
    @Option(names = "--model", description = "model directories to measure (default: a random tiny and a random 0.5B-shaped model)") List<Path> models;
    @Option(names = "--limit", defaultValue = "16", description = "examples scored each way (default: ${DEFAULT-VALUE})") int limit;
    @Option(names = "--repeats", defaultValue = "2", description = "times each group is timed each way; the fastest counts (default: ${DEFAULT-VALUE})") int repeats;
    @Option(names = "--batch-size", defaultValue = "8", description = "batch size of the batched run (default: ${DEFAULT-VALUE})") int batchSize;

    @Override
    public Integer call() throws IOException {
        Task task = Tasks.byName(taskName);
        if (!task.isChoice()) throw new InputException("bench-eval measures multiple-choice scoring; " + taskName + " is generative");
        if (limit < 2 || batchSize < 1 || repeats < 1) {
            throw new InputException("--limit must be at least 2, --batch-size and --repeats at least 1");
        }
        List<Example> rows = task.load(data);
        Djl.init(); // applies TALE_THREADS before the thread count is printed
        List<Example> examples = rows.subList(0, Math.min(limit, rows.size()));
        PrintWriter out = spec.commandLine().getOut();
        Path scratch = null;
        List<Path> dirs = models;
        List<String> names = new ArrayList<>();
        try {
            if (dirs == null || dirs.isEmpty()) {
                scratch = Files.createTempDirectory("tale-bench-");
                dirs = List.of(scratch.resolve("tiny"), scratch.resolve("qwen2.5-0.5b-shaped"));
                names = List.of("tiny (random)", "0.5B-shaped (random)");
                out.println("writing random checkpoints to " + scratch + " ...");
                out.flush();
                TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2"), dirs.get(0));
                TinyCheckpoint.write(new TinyCheckpoint.Spec("qwen2", 24, 896, 14, 2, 0, 4864, 151936, 0, TensorType.F32,
                        1, true, false, false, 0), dirs.get(1));
            } else {
                for (Path d : dirs) names.add(d.getFileName().toString());
            }
            out.printf(Locale.ROOT, "%s generate scoring, %d examples of %s, batch size %d, fastest of %d, %d processors, DJL threads %s%n",
                    task.name(), examples.size(), data, batchSize, repeats, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default (TALE_THREADS unset)"));
            out.printf(Locale.ROOT, "%-24s %7s %7s %10s %16s %16s %7s%n", "model", "layers", "hidden", "tokens/ex",
                    "one-at-a-time/s", "batched/s", "ratio");
            for (int i = 0; i < dirs.size(); i++) {
                measure(names.get(i), dirs.get(i), task, examples, out);
            }
        } finally {
            if (scratch != null) deleteTree(scratch);
        }
        return 0;
    }

    /**
     * Scores the examples in groups of the batch size, each group one at a time and then as one batch, so that
     * both ways see the same machine load; each group is timed {@code repeats} times each way and the fastest
     * time counts (other processes only ever slow a run down). Times are summed per way.
     */
    private void measure(String name, Path dir, Task task, List<Example> examples, PrintWriter out) {
        try (Model m = Model.load(dir)) {
            Scorer scorer = Scorer.of(m, task, Scoring.GENERATE, Demonstrations.none());
            double tokens = scorer.prepare(examples).sequences().stream().mapToInt(s -> s.length).average().orElse(0);
            Evaluator.evaluate(m, scorer, examples.subList(0, 2), m.fullMask(), Evaluator.Options.defaults()); // warm-up
            long singleNanos = 0, batchedNanos = 0;
            boolean same = true;
            for (int from = 0; from < examples.size(); from += batchSize) {
                List<Example> group = examples.subList(from, Math.min(examples.size(), from + batchSize));
                long bestSingle = Long.MAX_VALUE, bestBatched = Long.MAX_VALUE;
                for (int r = 0; r < repeats; r++) {
                    long t0 = System.nanoTime();
                    Evaluation single = Evaluator.evaluate(m, scorer, group, m.fullMask(), Evaluator.Options.defaults().withBatchSize(1));
                    long t1 = System.nanoTime();
                    Evaluation batched = Evaluator.evaluate(m, scorer, group, m.fullMask(), Evaluator.Options.defaults().withBatchSize(batchSize));
                    long t2 = System.nanoTime();
                    bestSingle = Math.min(bestSingle, t1 - t0);
                    bestBatched = Math.min(bestBatched, t2 - t1);
                    same &= single.results().stream().map(ExampleResult::prediction).toList()
                            .equals(batched.results().stream().map(ExampleResult::prediction).toList());
                }
                singleNanos += bestSingle;
                batchedNanos += bestBatched;
            }
            double singleRate = examples.size() / (singleNanos / 1e9), batchedRate = examples.size() / (batchedNanos / 1e9);
            out.printf(Locale.ROOT, "%-24s %7d %7d %10.0f %16.2f %16.2f %6.2fx%s%n", name, m.numLayers(), m.config().hiddenSize(),
                    tokens, singleRate, batchedRate, batchedRate / singleRate, same ? "" : "  (predictions differ!)");
            out.flush();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
