package tale.core.task;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where test task files are: the fixtures in test resources, and the shared real task data when present. */
public final class TaskFixtures {

    private TaskFixtures() { }

    /** A file under src/test/resources/tasks. */
    public static Path fixture(String name) {
        try {
            return Path.of(TaskFixtures.class.getResource("/tasks/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture tasks/" + name, e);
        }
    }

    /**
     * The shared task data directory ({@code shared/data/tasks}): $TALE_TASK_DATA, or the first
     * {@code shared/data/tasks} found walking up from the working directory (the project's {@code ../shared}).
     */
    public static Optional<Path> sharedTaskData() {
        String env = System.getenv("TALE_TASK_DATA");
        if (env != null && !env.isBlank()) return Optional.of(Path.of(env));
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data/tasks");
            if (Files.isRegularFile(candidate.resolve("README.md"))) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** ARC-format rows (llm-foundry layout): small sums with four numeric choices, the gold one cycling A to D. */
    public static List<String> arcSumRows(int rows) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int a = 2 + i, b = 3 + 2 * i, gold = i % 4;
            List<String> choices = new ArrayList<>();
            for (int c = 0; c < 4; c++) choices.add(String.valueOf(a + b + c - gold));
            lines.add("{\"query\": \"Question: What is " + a + " plus " + b + "?\", \"choices\": [\""
                    + String.join("\", \"", choices) + "\"], \"gold\": " + gold + "}");
        }
        return lines;
    }
}
