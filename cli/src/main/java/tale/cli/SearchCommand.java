package tale.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tale.core.InputException;
import tale.core.model.LayerMask;
import tale.core.model.Model;
import tale.core.search.CandidateEvaluator;
import tale.core.search.LocalEvaluator;
import tale.core.search.Objective;
import tale.core.search.Racing;
import tale.core.search.ScoreRequest;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.core.search.SearchReport;
import tale.core.search.SearchResult;
import tale.core.search.SearchRunner;
import tale.core.search.SearchState;

/**
 * The layer search in one process: progress per round on stderr, a table on stdout, summary.json and
 * trajectory.csv in --out.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Greedy layer elimination on a task: remove the layer whose removal scores best while accuracy "
                + "stays above baseline - epsilon; report Best, BSBA and Final on the held-out test split.")
final class SearchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Option(names = "--model", required = true, description = "Hugging Face model directory") Path model;
    @Mixin SearchSetup setup;
    @Option(names = "--epsilon", defaultValue = "" + SearchConfig.DEFAULT_EPSILON,
            description = "accuracy drop allowed below the baseline, absolute (default: ${DEFAULT-VALUE})") double epsilon;
    @Option(names = "--max-removed", description = "stop once this many layers are removed (default: no limit)") Integer maxRemoved;
    @Option(names = "--objective", defaultValue = "accuracy",
            description = "rank candidates by accuracy or margin (mean gold margin; acceptance stays by accuracy) (default: ${DEFAULT-VALUE})")
    String objective;
    @Option(names = "--initial-removed", defaultValue = "", description = "layers removed before the first round, e.g. 3,5") String initial;
    @Option(names = "--select-on", defaultValue = "search",
            description = "split that picks Best and BSBA: search (the paper's) or select (default: ${DEFAULT-VALUE})") String selectOn;
    @Option(names = "--racing", description = "race candidates on growing shards and drop those clearly behind") boolean racing;
    @Option(names = "--race-shard", defaultValue = "" + Racing.DEFAULT_FIRST_SHARD, description = "examples in racing's first shard (default: ${DEFAULT-VALUE})") int raceShard;
    @Option(names = "--race-confidence", defaultValue = "" + Racing.DEFAULT_CONFIDENCE, description = "confidence of racing's bound (default: ${DEFAULT-VALUE})") double raceConfidence;
    @Option(names = "--naive", description = "turn every cost reducer off: no prefix reuse, no racing, one example per forward")
    boolean naive;
    @Option(names = "--out", required = true, description = "directory for summary.json and trajectory.csv") Path out;

    @Override
    public Integer call() {
        if (naive && racing) throw new InputException("--naive turns racing off: drop --racing or --naive");
        Objective obj = Objective.parse(objective);
        boolean onSelect = SearchConfig.selectsOnSelect(selectOn, "--select-on");
        SearchInputs.Data data = setup.load(obj);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try (Model m = setup.loadModel(model)) {
            int layers = m.numLayers();
            SearchConfig config = SearchConfig.defaults(layers, data.search().size(), data.select().size(), data.test().size())
                    .withEpsilon(epsilon).withMaxRemoved(maxRemoved == null ? layers : maxRemoved).withObjective(obj)
                    .withInitialRemoved(LayerMask.parse(layers, initial).removed()).withSelectOnSelect(onSelect)
                    .withRacing(racing ? Racing.on(raceShard, raceConfidence) : Racing.OFF);
            LocalEvaluator.Options options = naive ? LocalEvaluator.Options.NAIVE : setup.evaluatorOptions();
            Progress progress = new Progress(err);
            LocalEvaluator evaluator = new LocalEvaluator(m, setup.scorer(m, data), data.splits(), options,
                    progress::step);
            err.printf(Locale.ROOT, "%s on %s: %d layers; splits search %d, select %d, test %d; %s scoring, %s objective, "
                    + "epsilon %s%s%n", m.dir(), data.task().name(), layers, config.searchSize(), config.selectSize(),
                    config.testSize(), data.scoring(), obj, epsilon, naive ? "; naive" : racing ? "; racing" : "");
            long t0 = System.nanoTime();
            SearchResult result = progress.search(config, evaluator);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> run = setup.describe(model, data);
            run.put("prefixReuse", options.prefixReuse());
            run.put("batchSize", options.batchSize());
            run.put("naive", naive);
            SearchReport.write(out, result, run, new SearchReport.Cost(evaluator.layerForwards(), seconds));
            stdout.print(SearchReport.table(result));
            stdout.printf(Locale.ROOT, "%nlayer forwards %d, %.1f s; wrote %s and %s%n", evaluator.layerForwards(), seconds,
                    out.resolve("summary.json"), out.resolve("trajectory.csv"));
            stdout.flush();
        }
        return 0;
    }

    /** One progress bar per step (baseline, each round or racing shard, select, test); a line per decided round. */
    static final class Progress implements SearchRunner.Listener {
        private final PrintWriter err;
        private ProgressBar bar;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void stepStarted(SearchState state) {
            close();
            long work = state.pendingRequests().stream().mapToLong(r -> (long) r.size() * r.candidates().size()).sum();
            bar = EvalCommand.progressBar(stepName(state), (int) Math.min(Integer.MAX_VALUE, work), err);
        }

        @Override
        public void roundFinished(SearchState state, SearchState.Round round) {
            close();
            var won = round.candidate(round.winner()).measure();
            err.printf(Locale.ROOT, "round %d: best candidate removes layer %d: accuracy %.4f (floor %.4f), mean margin %.4f; %s%n",
                    round.round(), round.winner(), won.accuracy(), state.floor(), won.meanMargin(),
                    round.accepted() ? "accepted, removed " + state.removed() : "below the floor, search stops");
            err.flush();
        }

        /** Runs a whole search shown by this display; the bar is closed whatever happens. */
        SearchResult search(SearchConfig config, CandidateEvaluator evaluator) {
            try {
                return SearchRunner.run(config, evaluator, this);
            } finally {
                close();
            }
        }

        void say(String line) {
            close();
            err.println(line);
            err.flush();
        }

        void step(long examples) {
            if (bar != null) bar.stepBy(examples);
        }

        void close() {
            if (bar != null) bar.close();
            bar = null;
        }

        private static String stepName(SearchState s) {
            return switch (s.phase()) {
                case BASELINE -> "baseline";
                case ROUND -> {
                    ScoreRequest first = s.pendingRequests().get(0);
                    int to = s.pendingRequests().get(s.pendingRequests().size() - 1).to();
                    boolean partial = first.from() > 0 || to < s.config().searchSize();
                    yield "round " + s.currentRound() + (partial ? ", " + first.candidates().size() + " layers, ex "
                            + first.from() + "-" + to : "");
                }
                case SELECT -> "select split";
                case TEST -> "test split";
                case DONE -> "done";
            };
        }
    }
}
