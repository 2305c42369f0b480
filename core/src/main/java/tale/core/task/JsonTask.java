package tale.core.task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tale.core.InputException;

/** A task whose files are JSON rows (see {@link TaskFile#readJson}); subclasses turn one row into an example. */
abstract class JsonTask implements Task {

    private final String name;
    private final String system;
    private final boolean choice;
    private final int maxNewTokens;

    JsonTask(String name, String system, boolean choice, int maxNewTokens) {
        this.name = name;
        this.system = system;
        this.choice = choice;
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String system() {
        return system;
    }

    @Override
    public final boolean isChoice() {
        return choice;
    }

    @Override
    public final int maxNewTokens() {
        return maxNewTokens;
    }

    @Override
    public List<Example> load(Path file) {
        List<TaskFile.Row> rows = TaskFile.readJson(file);
        List<Example> out = new ArrayList<>(rows.size());
        for (TaskFile.Row row : rows) out.add(example(out.size(), row));
        return requireRows(file, out);
    }

    /** The example of the row numbered {@code index}. */
    abstract Example example(int index, TaskFile.Row row);

    static List<Example> requireRows(Path file, List<Example> examples) {
        if (examples.isEmpty()) throw new InputException(file + ": no rows");
        return examples;
    }

    /** Task name for toString, so a task reads well in logs. */
    @Override
    public String toString() {
        return name;
    }
}
