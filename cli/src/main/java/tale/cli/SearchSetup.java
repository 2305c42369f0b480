package tale.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tale.core.model.Model;
import tale.core.scoring.Evaluator;
import tale.core.scoring.Scorer;
import tale.core.search.LocalEvaluator;
import tale.core.search.SearchInputs;
import tale.core.search.Objective;

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

    /** The search's inputs as plain values (the core's one way to split rows and build the scorer). */
    SearchInputs inputs() {
        return taskOptions.inputs(scoring, limit, maxNewTokens);
    }

    SearchInputs.Data load(Objective objective) {
        return inputs().load(objective);
    }

    Model loadModel(Path model) {
        return Model.load(model, new Model.Options(Precisions.parse(precision), device));
    }

    Scorer scorer(Model m, SearchInputs.Data data) {
        return inputs().scorer(m, data);
    }

    LocalEvaluator.Options evaluatorOptions() {
        return new LocalEvaluator.Options(true, batchSize, batchTokens);
    }

    /** The "run" section of summary.json. */
    Map<String, Object> describe(Path model, SearchInputs.Data data) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", model.toAbsolutePath().toString());
        run.putAll(inputs().describe(data));
        run.put("precision", precision);
        run.put("device", device);
        run.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
        return run;
    }
}
