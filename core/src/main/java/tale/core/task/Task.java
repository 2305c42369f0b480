package tale.core.task;

import java.nio.file.Path;
import java.util.List;

/**
 * A benchmark task: how to read its files, what to tell the model (the system message) and how long it may
 * answer. Each implementation keeps its whole prompt (system message and user turn) in one place.
 */
public interface Task {

    /** The name used on the command line ({@code arc_easy}, {@code mc}, ...). */
    String name();

    /** The system message: the task and the exact answer format. */
    String system();

    /** Whether answers are one of a fixed set of labels (multiple choice) rather than free text. */
    boolean isChoice();

    /** Greedy decoding budget in {@code generate} scoring: 1 for a label, more for reasoning. */
    int maxNewTokens();

    /** Every row of {@code file}, in file order; a malformed row is an error naming file and line. */
    List<Example> load(Path file);
}
