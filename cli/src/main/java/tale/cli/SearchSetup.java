package tale.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.scoring.Evaluator;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.search.LocalEvaluator;
import tale.core.search.Objective;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.Split;
import tale.core.task.SplitPlan;
import tale.core.task.Task;

/**
 * What a search runs on (task rows and their splits, scoring, batching, how to load the model); shared by search
 * and bench-search, which each take their own --model.
 */
final class SearchSetup {

    @Mixin TaskOptions taskOptions;
    @Option(names = "--scoring", defaultValue = "generate",
            description = "generate (the paper's), loglik or margin (default: ${DEFAULT-VALUE})") String scoring;
    @Option(names = "--limit", description = "use at most the first N rows of each split") Integer limit;
    @Option(names = "--batch-size", defaultValue = "" + Evaluator.Options.DEFAULT_BATCH_SIZE,
            description = "examples per forward (default: ${DEFAULT-VALUE})") int batchSize;
    @Option(names = "--batch-tokens", defaultValue = "" + Evaluator.Options.DEFAULT_BATCH_TOKENS,
            description = "padded tokens per forward (default: ${DEFAULT-VALUE})") int batchTokens;
    @Option(names = "--max-new-tokens", description = "decoding budget in generate mode (default: the task's)") Integer maxNewTokens;
    @Option(names = "--precision", defaultValue = "f32", description = "f32 or f16") String precision;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu, gpu:N or auto") String device;

    /** The task's rows divided into the search, select and test splits (select and test may be empty). */
    record Data(Task task, Scoring scoring, List<Example> rows, List<Example> search, List<Example> select,
                List<Example> test, Demonstrations demonstrations) {

        Map<Split, List<Example>> splits() {
            Map<Split, List<Example>> m = new EnumMap<>(Split.class);
            m.put(Split.SEARCH, search);
            m.put(Split.SELECT, select);
            m.put(Split.TEST, test);
            return m;
        }
    }

    Data load(Objective objective) {
        Task task = taskOptions.task();
        Scoring mode = Scoring.parse(scoring);
        if (objective == Objective.MARGIN && mode == Scoring.GENERATE) {
            throw new InputException("--objective margin needs margins: use --scoring loglik or margin");
        }
        if (limit != null && limit < 1) throw new InputException("--limit must be at least 1, got " + limit);
        List<Example> rows = task.load(taskOptions.data);
        if (rows.isEmpty()) throw new InputException(taskOptions.data + ": the task file has no rows");
        SplitPlan plan = taskOptions.plan();
        Split[] parts = plan.assign(rows.size());
        Map<Split, List<Example>> bySplit = new EnumMap<>(Split.class);
        for (Split s : List.of(Split.SEARCH, Split.SELECT, Split.TEST)) bySplit.put(s, new ArrayList<>());
        for (Example e : rows) {
            List<Example> part = bySplit.get(parts[e.index()]);
            if (limit == null || part.size() < limit) part.add(e);
        }
        if (bySplit.get(Split.SEARCH).isEmpty()) {
            throw new InputException("the search split is empty: " + rows.size() + " rows divided by " + plan);
        }
        return new Data(task, mode, rows, bySplit.get(Split.SEARCH), bySplit.get(Split.SELECT), bySplit.get(Split.TEST),
                taskOptions.demonstrations(task, rows));
    }

    Model loadModel(Path model) {
        return Model.load(model, new Model.Options(Precisions.parse(precision), device));
    }

    Scorer scorer(Model m, Data data) {
        return new Scorer(new Prompts(data.task(), m.chatTemplate(), data.demonstrations()), data.scoring(), m.tokenizer(),
                m.stopTokens(), m.numLayers(), maxNewTokens != null ? maxNewTokens : data.task().maxNewTokens());
    }

    LocalEvaluator.Options evaluatorOptions() {
        return new LocalEvaluator.Options(true, batchSize, batchTokens);
    }

    /** The "run" section of summary.json. */
    Map<String, Object> describe(Path model, Data data) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", model.toAbsolutePath().toString());
        run.put("task", data.task().name());
        run.put("data", taskOptions.data.toAbsolutePath().toString());
        run.put("scoring", data.scoring().toString());
        run.put("shots", taskOptions.shots);
        run.put("split", taskOptions.plan().toString());
        run.put("splitSeed", taskOptions.seed);
        run.put("limit", limit);
        run.put("precision", precision);
        run.put("device", device);
        run.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
        return run;
    }
}
