package tale.worker.evaluation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.search.LocalEvaluator;
import tale.core.search.SearchInputs;
import tale.messages.ExampleScore;
import tale.messages.JobSpec;
import tale.messages.WorkUnit;
import tale.service.JobSearch;
import tale.worker.dataset.DatasetStore;
import tale.worker.model.LoadedModel;
import tale.worker.model.ModelCache;
import tale.service.ConfinedRoot;

/**
 * Scores a work unit: the model named under the model root (from the cache), the job's rows from its dataset
 * (fetched by hash) or data file (under the data root), and core's {@link LocalEvaluator} on the unit's request,
 * sharing each batch's forward prefix among the unit's candidates. Every problem with the unit is an
 * {@link InputException} naming it. Not thread-safe: one unit at a time.
 */
public final class UnitEvaluator implements AutoCloseable {

    private final ConfinedRoot models;
    private final Optional<ConfinedRoot> dataRoot;
    private final DatasetStore datasets;
    private final ModelCache cache;
    private final LocalEvaluator.Options options;

    public UnitEvaluator(ConfinedRoot models, Optional<ConfinedRoot> dataRoot, DatasetStore datasets, ModelCache cache,
                         LocalEvaluator.Options options) {
        this.models = models;
        this.dataRoot = dataRoot;
        this.datasets = datasets;
        this.cache = cache;
        this.options = options;
    }

    /** Candidate layer to one score per example of the unit's range, in range order. */
    public Map<Integer, List<ExampleScore>> evaluate(WorkUnit unit) {
        JobSpec spec = unit.spec();
        Path modelDir = models.resolve(spec.model(), "model");
        PreparedJob.Key key = new PreparedJob.Key(JobSearch.inputs(spec, dataFile(spec)), JobSearch.objective(spec));
        LoadedModel loaded = cache.get(modelDir);
        PreparedJob job = loaded.job(key, k -> prepare(loaded.model(), k));
        return ExampleScores.of(job.evaluator().evaluate(UnitRequest.of(unit)));
    }

    private Path dataFile(JobSpec spec) {
        if (spec.dataset() != null && !spec.dataset().isBlank()) return datasets.file(spec.dataset());
        if (spec.data() == null || spec.data().isBlank()) {
            throw new InputException("the job names neither a dataset id nor a data file");
        }
        return dataRoot.orElseThrow(() -> new InputException("data file \"" + spec.data()
                        + "\" refused: this worker has no data root (tale.worker.data-root); upload the dataset instead"))
                .resolve(spec.data(), "data file");
    }

    private PreparedJob prepare(Model model, PreparedJob.Key key) {
        SearchInputs inputs = key.inputs();
        SearchInputs.Data data = inputs.load(key.objective());
        return new PreparedJob(data, new LocalEvaluator(model, inputs.scorer(model, data), data.splits(), options));
    }

    @Override
    public void close() {
        cache.close();
    }
}
