package tale.core.search;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tale.core.InputException;
import tale.core.model.Model;
import tale.core.scoring.Scorer;
import tale.core.scoring.Scoring;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.Prompts;
import tale.core.task.Split;
import tale.core.task.SplitPlan;
import tale.core.task.Task;
import tale.core.task.Tasks;

/**
 * What a search scores on, as plain values: the task and its file, how the rows are split, the demonstrations,
 * the scoring mode. The one way to turn them into split rows and a scorer, so that {@code tale search}, a remote
 * evaluator worker and {@code tale analyze} given the same values score exactly the same prompts.
 *
 * @param task         task name ({@link Tasks#names()})
 * @param data         task file
 * @param seed         seed of the split and of the demonstration draw
 * @param fractions    search,select,test fractions of the seeded split, e.g. {@code 0.5,0.25,0.25}; null: the default
 * @param splitRows    the paper's mode instead of a seeded split ({@code N,M}: first N rows search, next M select); or null
 * @param shots        demonstrations before each question
 * @param demos        a file to draw demonstrations from instead of the rows outside the evaluated split; or null
 * @param scoring      {@code generate}, {@code loglik} or {@code margin}
 * @param limit        at most this many rows of each split; or null
 * @param maxNewTokens decoding budget in generate mode; null: the task's
 */
public record SearchInputs(String task, Path data, long seed, String fractions, String splitRows, int shots,
                           Path demos, String scoring, Integer limit, Integer maxNewTokens) {

    public static final String DEFAULT_FRACTIONS = "0.5,0.25,0.25";

    public SearchInputs {
        if (task == null || task.isBlank()) throw new InputException("a task name is required");
        if (data == null) throw new InputException("a task file is required");
        if (fractions == null || fractions.isBlank()) fractions = DEFAULT_FRACTIONS;
        if (scoring == null || scoring.isBlank()) scoring = "generate";
        if (shots < 0) throw new InputException("--shots must not be negative, got " + shots);
        if (limit != null && limit < 1) throw new InputException("--limit must be at least 1, got " + limit);
        if (maxNewTokens != null && maxNewTokens < 1) {
            throw new InputException("--max-new-tokens must be at least 1, got " + maxNewTokens);
        }
    }

    /** The task's rows divided into the search, select and test splits (select and test may be empty). */
    public record Data(Task task, Scoring scoring, List<Example> rows, List<Example> search, List<Example> select,
                       List<Example> test, Demonstrations demonstrations) {

        public Map<Split, List<Example>> splits() {
            Map<Split, List<Example>> m = new EnumMap<>(Split.class);
            m.put(Split.SEARCH, search);
            m.put(Split.SELECT, select);
            m.put(Split.TEST, test);
            return m;
        }
    }

    public Task taskDefinition() {
        return Tasks.byName(task);
    }

    public SplitPlan plan() {
        return splitRows != null ? SplitPlan.firstRows(splitRows) : SplitPlan.shuffled(seed, fractions);
    }

    public Scoring scoringMode() {
        return Scoring.parse(scoring);
    }

    /** Reads the task file and splits it; fails with an {@link InputException} naming the problem. */
    public Data load(Objective objective) {
        Task t = taskDefinition();
        Scoring mode = scoringMode();
        if (objective == Objective.MARGIN && mode == Scoring.GENERATE) {
            throw new InputException("--objective margin needs margins: use --scoring loglik or margin");
        }
        List<Example> rows = t.load(data);
        if (rows.isEmpty()) throw new InputException(data + ": the task file has no rows");
        SplitPlan plan = plan();
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
        return new Data(t, mode, rows, bySplit.get(Split.SEARCH), bySplit.get(Split.SELECT), bySplit.get(Split.TEST),
                demonstrations(t, rows));
    }

    /** The demonstrations of {@code rows} of task {@code t}: from {@code demos}, else from outside each row's split. */
    public Demonstrations demonstrations(Task t, List<Example> rows) {
        if (demos != null) return Demonstrations.fromPool(t.load(demos), shots, seed);
        return Demonstrations.fromOtherParts(rows, plan(), shots, seed);
    }

    /** The scorer of {@code model} on {@code data}: the task's prompts in the model's chat template. */
    public Scorer scorer(Model model, Data data) {
        return new Scorer(new Prompts(data.task(), model.chatTemplate(), data.demonstrations()), data.scoring(),
                model.tokenizer(), model.stopTokens(), model.numLayers(),
                maxNewTokens != null ? maxNewTokens : data.task().maxNewTokens());
    }

    /** These inputs as the "run" section of a summary describes them. */
    public Map<String, Object> describe(Data loaded) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("task", loaded.task().name());
        run.put("data", data.toAbsolutePath().toString());
        run.put("scoring", loaded.scoring().toString());
        run.put("shots", shots);
        run.put("split", plan().toString());
        run.put("splitSeed", seed);
        run.put("limit", limit);
        return run;
    }
}
