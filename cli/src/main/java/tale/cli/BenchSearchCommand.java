package tale.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.model.Checkpoint;
import tale.core.model.Model;
import tale.core.model.SafeTensorsFile;
import tale.core.model.SafeTensorsWriter;
import tale.core.model.TensorType;
import tale.core.model.TinyCheckpoint;
import tale.core.scoring.ExampleResult;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.search.LocalEvaluator;
import tale.core.search.Objective;
import tale.core.search.Racing;
import tale.core.search.RacingAgreement;
import tale.core.search.ScoreRequest;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.core.search.SearchResult;
import tale.core.task.Example;
import tale.core.task.Split;

/**
 * The search's cost reducers measured side by side in one run: the same search (same model, task rows and
 * settings, search split only) naive, with prefix reuse, and with prefix reuse and racing; layer forwards and
 * wall time as ratios to naive, whether prefix reuse followed the naive trajectory, and how often racing
 * picked the exact search's layer. A benchmark, not a test.
 *
 * <p>Without --model it writes a random checkpoint whose layers have graded importance (layer l's attention
 * and MLP output projections scaled by a factor between 0.02 and 1, in a seeded order), so that candidates
 * differ and the search goes several rounds; with --relabel the gold answers are replaced by the full model's
 * own, so accuracy is agreement with the full model (a random model's accuracy is chance).
 */
@Command(name = "bench-search", mixinStandardHelpOptions = true,
        description = "Benchmark the search: layer forwards and wall time of naive, prefix reuse and racing, as ratios to naive.")
final class BenchSearchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", description = "checkpoint to search (default: a random one with graded layers, see --layers)") Path model;
    @Option(names = "--layers", defaultValue = "16", description = "layers of the generated checkpoint (default: ${DEFAULT-VALUE})") int layers;
    @Mixin SearchSetup setup;
    @Option(names = "--objective", defaultValue = "accuracy", description = "accuracy or margin (default: ${DEFAULT-VALUE})") String objective;
    @Option(names = "--epsilon", defaultValue = "" + SearchConfig.DEFAULT_EPSILON, description = "(default: ${DEFAULT-VALUE})") double epsilon;
    @Option(names = "--max-removed", description = "stop once this many layers are removed (default: no limit)") Integer maxRemoved;
    @Option(names = "--race-shard", defaultValue = "32", description = "racing's first shard (default: ${DEFAULT-VALUE})") int raceShard;
    @Option(names = "--race-confidence", defaultValue = "0.95", description = "(default: ${DEFAULT-VALUE})") double raceConfidence;
    @Option(names = "--relabel", description = "replace the gold answers by the full model's (accuracy = agreement with it)") boolean relabel;

    private record Measured(String mode, SearchResult result, long layerForwards, double seconds) { }

    @Override
    public Integer call() throws IOException {
        Objective obj = Objective.parse(objective);
        SearchInputs.Data data = setup.load(obj);
        if (relabel && data.scoring() == Scoring.GENERATE) {
            throw new InputException("--relabel needs --scoring loglik or margin (generated answers may be invalid)");
        }
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Path scratch = null;
        try {
            Path dir = model;
            if (dir == null) {
                scratch = Files.createTempDirectory("tale-bench-search-");
                dir = scratch.resolve("graded-" + layers);
                writeGraded(dir, layers);
            }
            try (Model m = setup.loadModel(dir)) {
                Scorer scorer = setup.scorer(m, data);
                List<Example> search = data.search();
                if (relabel) search = relabel(m, scorer, search);
                Map<Split, List<Example>> splits = Map.of(Split.SEARCH, search);
                SearchConfig exact = SearchConfig.defaults(m.numLayers(), search.size(), 0, 0).withEpsilon(epsilon)
                        .withMaxRemoved(maxRemoved == null ? m.numLayers() : maxRemoved).withObjective(obj);
                SearchConfig raced = exact.withRacing(Racing.on(raceShard, raceConfidence));
                out.printf(Locale.ROOT, "bench-search: %s (%d layers), %s, %d search examples%s, %s scoring, %s objective, "
                        + "epsilon %s, batch size %d, racing first shard %d at confidence %s; threads %s%n",
                        model == null ? "random graded checkpoint" : dir, m.numLayers(), data.task().name(), search.size(),
                        relabel ? " (gold = the full model's answers)" : "", data.scoring(), obj, epsilon,
                        setup.batchSize, raceShard, raceConfidence,
                        System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
                out.flush();
                SearchCommand.Progress progress = new SearchCommand.Progress(err);
                List<Measured> runs = new ArrayList<>();
                runs.add(measure("naive", m, scorer, splits, LocalEvaluator.Options.NAIVE, exact, progress));
                runs.add(measure("prefix reuse", m, scorer, splits, setup.evaluatorOptions(), exact, progress));
                runs.add(measure("racing", m, scorer, splits, setup.evaluatorOptions(), raced, progress));
                report(out, runs, new LocalEvaluator(m, scorer, splits, setup.evaluatorOptions()));
            }
        } finally {
            if (scratch != null) deleteTree(scratch);
        }
        return 0;
    }

    private static Measured measure(String mode, Model m, Scorer scorer, Map<Split, List<Example>> splits,
                                    LocalEvaluator.Options options, SearchConfig config, SearchCommand.Progress progress) {
        progress.say("== " + mode);
        LocalEvaluator evaluator = new LocalEvaluator(m, scorer, splits, options, progress::step);
        long t0 = System.nanoTime();
        SearchResult result = progress.search(config, evaluator);
        return new Measured(mode, result, evaluator.layerForwards(), (System.nanoTime() - t0) / 1e9);
    }

    private static void report(PrintWriter out, List<Measured> runs, LocalEvaluator exactEvaluator) {
        Measured naive = runs.get(0), prefix = runs.get(1), racing = runs.get(2);
        out.printf(Locale.ROOT, "%-13s %6s %-28s %15s %7s %9s %7s%n", "mode", "rounds", "final removed", "layer forwards",
                "ratio", "wall s", "ratio");
        for (Measured r : runs) {
            out.printf(Locale.ROOT, "%-13s %6d %-28s %15d %7.3f %9.1f %7.3f%n", r.mode(), r.result().rounds().size(),
                    r.result().last().removed().stream().map(String::valueOf).collect(Collectors.joining(",")),
                    r.layerForwards(), (double) r.layerForwards() / naive.layerForwards(), r.seconds(),
                    r.seconds() / naive.seconds());
        }
        List<String> diff = prefix.result().trajectoryDifferences(naive.result(), 1e-4);
        out.println(diff.isEmpty()
                ? "prefix reuse vs naive: same trajectory (every candidate's accuracy, every winner and acceptance; scores within 1e-4)"
                : "prefix reuse vs naive: DIFFERENT trajectory: " + String.join("; ", diff));
        List<RacingAgreement.RoundAgreement> agreement = RacingAgreement.compare(racing.result(), prefix.result(), exactEvaluator);
        long same = agreement.stream().filter(RacingAgreement.RoundAgreement::same).count();
        out.printf(Locale.ROOT, "racing vs exact: the same layer in %d of %d rounds (%.0f%%)%n", same, agreement.size(),
                agreement.isEmpty() ? 100.0 : 100.0 * same / agreement.size());
        for (RacingAgreement.RoundAgreement a : agreement) {
            var round = racing.result().rounds().get(a.round() - 1);
            long survivors = round.candidates().stream().filter(c -> !c.dropped()).count();
            out.printf(Locale.ROOT, "  round %d from {%s}: raced %d, exact %d; %d of %d candidates survived to the end%n",
                    a.round(), a.removedBefore().stream().map(String::valueOf).collect(Collectors.joining(",")),
                    a.racedWinner(), a.exactWinner(), survivors, round.candidates().size());
        }
        out.flush();
    }

    /** The rows with gold replaced by the full model's answer. */
    private List<Example> relabel(Model m, Scorer scorer, List<Example> rows) {
        LocalEvaluator full = new LocalEvaluator(m, scorer, Map.of(Split.SEARCH, rows), setup.evaluatorOptions());
        List<ExampleResult> answers = full.evaluate(new ScoreRequest("relabel", Split.SEARCH, 0, List.of(),
                List.of(ScoreRequest.AS_IS), 0, rows.size())).scores().get(ScoreRequest.AS_IS);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Example e = rows.get(i);
            int gold = e.labels().indexOf(answers.get(i).prediction());
            out.add(Example.choice(e.index(), e.prompt(), e.labels(), e.choices(), gold < 0 ? e.gold() : gold));
        }
        return out;
    }

    /**
     * A random Qwen2-style checkpoint whose layer l adds to the residual stream with weight s_l: its o_proj and
     * down_proj are scaled by s_l, geometric from 0.02 to 1 over the layers, in a seeded random order.
     */
    static void writeGraded(Path dir, int layers) throws IOException {
        if (layers < 2) throw new InputException("--layers must be at least 2, got " + layers);
        Path raw = dir.resolveSibling(dir.getFileName() + ".raw");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(layers).withSeed(1), raw);
        List<Double> scales = new ArrayList<>();
        for (int l = 0; l < layers; l++) scales.add(Math.exp(Math.log(0.02) * (layers - 1 - l) / (layers - 1)));
        Collections.shuffle(scales, new Random(1));
        SafeTensorsWriter writer = new SafeTensorsWriter(Map.of("format", "pt"));
        try (SafeTensorsFile file = SafeTensorsFile.open(raw.resolve(Checkpoint.SINGLE_FILE))) {
            for (SafeTensorsFile.Entry e : file.entries().values().stream()
                    .sorted(Comparator.comparing(SafeTensorsFile.Entry::name)).toList()) {
                FloatBuffer src = file.map(e.offset(), e.length()).asFloatBuffer();
                float[] values = new float[src.remaining()];
                src.get(values);
                double scale = 1;
                String[] parts = e.name().split("\\.");
                if (e.name().endsWith("o_proj.weight") || e.name().endsWith("down_proj.weight")) {
                    scale = scales.get(Integer.parseInt(parts[2])); // model.layers.<l>....
                }
                for (int i = 0; i < values.length; i++) values[i] *= (float) scale;
                writer.addFloats(e.name(), TensorType.F32, e.shape(), values);
            }
        }
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(raw)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(Checkpoint.SINGLE_FILE)) Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        writer.write(dir.resolve(Checkpoint.SINGLE_FILE));
        deleteTree(raw);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
