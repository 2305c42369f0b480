package tale.orchestrator.job;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tale.core.InputException;
import tale.core.model.ModelConfig;
import tale.core.scoring.Scoring;
import tale.core.search.Objective;
import tale.core.search.SearchConfig;
import tale.core.search.SearchInputs;
import tale.core.task.SplitPlan;
import tale.core.task.Tasks;
import tale.messages.JobSpec;
import tale.orchestrator.config.OrchestratorConfig;
import tale.orchestrator.dataset.DatasetStore;
import tale.service.ConfinedRoot;
import tale.service.InvalidFieldsException;
import tale.service.JobSearch;

/**
 * Checks every field of a {@link JobSpec} and builds what the search needs, reporting all offending fields at
 * once ({@link InvalidFieldsException}, answered with 400). Models and task files resolve only under their
 * configured roots.
 */
@ApplicationScoped
public class JobPreparer {

    /** Values of {@code deploy}: which configuration a succeeded job publishes as a selection. */
    public static final Set<String> DEPLOY_CHOICES = Set.of("best", "bsba", "final");

    private final Optional<ConfinedRoot> modelRoot;
    private final Optional<ConfinedRoot> dataRoot;
    private final DatasetStore datasets;
    private final int unitExamples;

    public JobPreparer(OrchestratorConfig config, DatasetStore datasets) {
        this.modelRoot = config.modelRoot().map(p -> new ConfinedRoot(p, "model root"));
        this.dataRoot = config.dataRoot().map(p -> new ConfinedRoot(p, "data root"));
        this.datasets = datasets;
        this.unitExamples = config.unitExamples();
    }

    public PreparedJob prepare(JobSpec spec) {
        if (spec == null) throw InvalidFieldsException.of("body", "a JobSpec JSON object is required");
        Map<String, String> problems = new LinkedHashMap<>();
        Path modelDir = check(problems, "model", () -> modelDir(spec.model()));
        Integer numLayers = modelDir == null ? null : check(problems, "model", () -> ModelConfig.read(modelDir).numLayers());
        check(problems, "task", () -> Tasks.byName(required(spec.task(), "a task name is required")));
        Path dataFile = check(problems, spec.dataset() != null ? "dataset" : "data", () -> dataFile(spec));
        if (spec.splitRows() != null) check(problems, "splitRows", () -> SplitPlan.firstRows(spec.splitRows()));
        if (spec.fractions() != null) {
            check(problems, "fractions", () -> SplitPlan.shuffled(spec.splitSeed() == null ? 0 : spec.splitSeed(), spec.fractions()));
        }
        atLeast(problems, "shots", spec.shots(), 0);
        atLeast(problems, "limit", spec.limit(), 1);
        atLeast(problems, "maxNewTokens", spec.maxNewTokens(), 1);
        atLeast(problems, "maxRemoved", spec.maxRemoved(), 0);
        if (spec.maxRemoved() != null && numLayers != null && spec.maxRemoved() > numLayers) {
            problems.put("maxRemoved", "must be at most " + numLayers + " (the model's layers), got " + spec.maxRemoved());
        }
        Scoring scoring = spec.scoring() == null ? Scoring.GENERATE : check(problems, "scoring", () -> Scoring.parse(spec.scoring()));
        Objective objective = check(problems, "objective", () -> JobSearch.objective(spec));
        if (objective == Objective.MARGIN && scoring == Scoring.GENERATE) {
            problems.put("objective", "margin needs margins: use scoring loglik or margin");
        }
        if (spec.epsilon() != null && !(spec.epsilon() >= 0 && !spec.epsilon().isInfinite())) {
            problems.put("epsilon", "must be a finite number >= 0, got " + spec.epsilon());
        }
        if (spec.initialRemoved() != null) {
            if (new TreeSet<>(spec.initialRemoved()).size() != spec.initialRemoved().size()) {
                problems.put("initialRemoved", "names a layer twice: " + spec.initialRemoved());
            } else if (numLayers != null && spec.initialRemoved().stream().anyMatch(l -> l < 0 || l >= numLayers)) {
                problems.put("initialRemoved", "layers must lie in 0-" + (numLayers - 1) + ", got " + spec.initialRemoved());
            }
        }
        check(problems, "selectOn", () -> JobSearch.selectOnSelect(spec));
        if (spec.raceShard() != null || spec.raceConfidence() != null) {
            JobSpec racing = withRacing(spec);
            check(problems, spec.raceShard() != null && spec.raceShard() < 2 ? "raceShard" : "raceConfidence",
                    () -> JobSearch.racing(racing));
        }
        if (spec.deploy() != null && !DEPLOY_CHOICES.contains(spec.deploy().trim().toLowerCase(Locale.ROOT))) {
            problems.put("deploy", "must be best, bsba or final, got \"" + spec.deploy() + "\"");
        }
        if (!problems.isEmpty()) throw new InvalidFieldsException(problems);

        SearchInputs inputs = check(problems, "task", () -> JobSearch.inputs(spec, dataFile));
        String dataField = spec.dataset() != null ? "dataset" : "data";
        SearchInputs.Data data = inputs == null ? null : check(problems, dataField, () -> inputs.load(objective));
        if (data != null && data.select().isEmpty() && JobSearch.selectOnSelect(spec)) {
            problems.put("selectOn", "select needs a non-empty select split, but the split gives it no rows");
        }
        SearchConfig config = data == null || !problems.isEmpty() ? null
                : check(problems, "spec", () -> JobSearch.config(spec, numLayers, data, unitExamples));
        if (!problems.isEmpty()) throw new InvalidFieldsException(problems);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("model", spec.model());
        if (spec.dataset() != null) run.put("dataset", spec.dataset());
        run.putAll(inputs.describe(data));
        return new PreparedJob(spec, modelDir, inputs, data, config, run);
    }

    private Path modelDir(String model) {
        ConfinedRoot root = modelRoot.orElseThrow(() -> new InputException(
                "this orchestrator has no model root (tale.orchestrator.model-root)"));
        return root.resolve(model, "model");
    }

    private Path dataFile(JobSpec spec) {
        if (spec.dataset() != null && spec.data() != null) {
            throw new InputException("give either dataset (an uploaded dataset's id) or data (a file path), not both");
        }
        if (spec.dataset() != null) {
            return datasets.file(spec.dataset()).orElseThrow(() -> new InputException(
                    "no uploaded dataset has id \"" + spec.dataset() + "\" (POST /datasets returns the id)"));
        }
        if (spec.data() == null) throw new InputException("a dataset id (POST /datasets) or a data file path is required");
        ConfinedRoot root = dataRoot.orElseThrow(() -> new InputException(
                "this orchestrator has no data root (tale.orchestrator.data-root): upload the file with POST /datasets"));
        return root.resolve(spec.data(), "data file");
    }

    /** The racing settings as if racing were on, so they are checked whenever they are given. */
    private static JobSpec withRacing(JobSpec s) {
        return new JobSpec(s.model(), s.task(), s.dataset(), s.data(), s.splitSeed(), s.fractions(), s.splitRows(),
                s.shots(), s.scoring(), s.limit(), s.maxNewTokens(), s.epsilon(), s.maxRemoved(), s.objective(),
                s.initialRemoved(), s.selectOn(), true, s.raceShard(), s.raceConfidence(), s.deploy());
    }

    private static String required(String value, String problem) {
        if (value == null || value.isBlank()) throw new InputException(problem);
        return value;
    }

    private static void atLeast(Map<String, String> problems, String field, Integer value, int min) {
        if (value != null && value < min) problems.put(field, "must be at least " + min + ", got " + value);
    }

    private interface Check<T> {
        T get();
    }

    /** The value, or null with the problem recorded under {@code field} (the first problem of a field wins). */
    private static <T> T check(Map<String, String> problems, String field, Check<T> check) {
        try {
            return check.get();
        } catch (InputException | IllegalArgumentException e) {
            problems.putIfAbsent(field, e.getMessage());
            return null;
        }
    }
}
