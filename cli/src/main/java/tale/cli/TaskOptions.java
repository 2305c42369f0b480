package tale.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import tale.core.search.SearchInputs;
import tale.core.task.Demonstrations;
import tale.core.task.Example;
import tale.core.task.SplitPlan;
import tale.core.task.Task;
import tale.core.task.Tasks;

/** Which rows of which task, how they are split, and their few-shot demonstrations (shared by eval and prompt). */
final class TaskOptions {

    @Option(names = "--task", required = true, description = "task name: ${COMPLETION-CANDIDATES}",
            completionCandidates = TaskNames.class)
    String task;

    @Option(names = "--data", required = true, description = "task file (JSON Lines, JSON, or MMLU CSV file or directory)")
    Path data;

    @Option(names = {"--seed", "--split-seed"}, defaultValue = "0", description = "seed of the split and of the demonstration draw (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--fractions", defaultValue = "0.5,0.25,0.25",
            description = "search,select,test fractions of the seeded split (default: ${DEFAULT-VALUE})")
    String fractions;

    @Option(names = "--split-rows", paramLabel = "N,M",
            description = "the paper's mode instead of a seeded split: the first N rows are search, the next M select, the rest test")
    String splitRows;

    @Option(names = "--shots", defaultValue = "0", description = "demonstrations before each question (default: ${DEFAULT-VALUE})")
    int shots;

    @Option(names = "--demos", description = "draw demonstrations from this file (e.g. a train split) instead of the rows outside the evaluated split")
    Path demos;

    static final class TaskNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Tasks.names().iterator();
        }
    }

    Task task() {
        return Tasks.byName(task);
    }

    /** These options with the scoring settings of a command, as core's search inputs (the one way to split rows). */
    SearchInputs inputs(String scoring, Integer limit, Integer maxNewTokens) {
        return new SearchInputs(task, data, seed, fractions, splitRows, shots, demos, scoring, limit, maxNewTokens);
    }

    SplitPlan plan() {
        return inputs(null, null, null).plan();
    }

    Demonstrations demonstrations(Task t, List<Example> rows) {
        return inputs(null, null, null).demonstrations(t, rows);
    }
}
