package tale.orchestrator;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import tale.core.model.Model;
import tale.core.scoring.Evaluator;
import tale.core.scoring.ExampleResult;
import tale.core.search.LocalEvaluator;
import tale.core.search.ScoreRequest;
import tale.core.search.ScoreResult;
import tale.core.search.SearchInputs;
import tale.core.task.Split;
import tale.messages.ExampleScore;
import tale.messages.JobSpec;
import tale.messages.UnitResult;
import tale.messages.WorkUnit;
import tale.service.JobSearch;

/**
 * Answers work units the way an evaluator worker does, with the real scoring code: core's LocalEvaluator on the
 * job's model, one example per forward (as {@code tale search --batch-size 1}, so results do not depend on how
 * examples are grouped into units).
 */
public final class TestWorker implements AutoCloseable {

    public static final LocalEvaluator.Options OPTIONS = new LocalEvaluator.Options(true, 1, Evaluator.Options.DEFAULT_BATCH_TOKENS);

    private final Model model;
    private final Function<JobSpec, Path> dataFile;
    private final Map<String, LocalEvaluator> evaluators = new ConcurrentHashMap<>();

    public TestWorker(Path modelDir, Function<JobSpec, Path> dataFile) {
        this.model = Model.load(modelDir, new Model.Options(tale.core.model.Model.Precision.F32, "cpu"));
        this.dataFile = dataFile;
    }

    /** The evaluator of {@code spec}'s inputs on this worker's model. */
    public LocalEvaluator evaluator(JobSpec spec) {
        return evaluators.computeIfAbsent(spec.toString(), k -> {
            SearchInputs inputs = JobSearch.inputs(spec, dataFile.apply(spec));
            SearchInputs.Data data = inputs.load(JobSearch.objective(spec));
            return new LocalEvaluator(model, inputs.scorer(model, data), data.splits(), OPTIONS);
        });
    }

    public synchronized UnitResult answer(WorkUnit unit) {
        ScoreResult scored = evaluator(unit.spec()).evaluate(new ScoreRequest(unit.unitId(), Split.parse(unit.split()),
                unit.round(), unit.removed(), unit.candidates(), unit.from(), unit.to()));
        Map<Integer, List<ExampleScore>> scores = new LinkedHashMap<>();
        scored.scores().forEach((layer, results) -> scores.put(layer, results.stream().map(TestWorker::score).toList()));
        return UnitResult.scored(unit.jobId(), unit.unitId(), unit.attempt(), "test-worker", scores, 0);
    }

    private static ExampleScore score(ExampleResult r) {
        return new ExampleScore(r.index(), r.prediction(), r.gold(), r.correct(), Double.isNaN(r.margin()) ? null : r.margin(),
                r.invalid());
    }

    public Model model() {
        return model;
    }

    @Override
    public void close() {
        model.close();
    }
}
