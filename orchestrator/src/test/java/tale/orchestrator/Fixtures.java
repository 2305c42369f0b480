package tale.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tale.core.model.TinyCheckpoint;
import tale.messages.JobSpec;
import tale.orchestrator.config.DatabaseConfig;
import tale.orchestrator.config.OrchestratorConfig;

/** A tiny real checkpoint under a model root, an ARC-format task file under a data root, and settings over them. */
public final class Fixtures {

    public static final String MODEL = "tiny";
    public static final String TASK_FILE = "arc.jsonl";
    public static final int LAYERS = 4;
    public static final int ROWS = 24;

    public final Path dataDir;
    public final Path modelRoot;
    public final Path dataRoot;

    public Fixtures(Path base) throws IOException {
        dataDir = Files.createDirectories(base.resolve("orchestrator-data"));
        modelRoot = Files.createDirectories(base.resolve("models"));
        dataRoot = Files.createDirectories(base.resolve("tasks"));
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("qwen2").withLayers(LAYERS).withSeed(7), modelRoot.resolve(MODEL));
        Files.write(dataRoot.resolve(TASK_FILE), arcRows(ROWS));
    }

    /** ARC-format rows (llm-foundry layout): small sums with four numeric choices. */
    public static List<String> arcRows(int rows) {
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

    /** A loglik job on the tiny model and the task file; everything else as {@code tale search}'s defaults. */
    public static JobSpec spec() {
        return new JobSpec(MODEL, "arc_easy", null, TASK_FILE, null, null, null, null, "loglik", null, null, null,
                null, null, null, null, null, null, null, null);
    }

    public OrchestratorConfig config(int unitExamples, Duration unitTimeout, int maxAttempts) {
        return new OrchestratorConfig() {
            @Override public Path dataDir() { return dataDir; }
            @Override public Optional<Path> dataRoot() { return Optional.of(dataRoot); }
            @Override public Optional<Path> modelRoot() { return Optional.of(modelRoot); }
            @Override public int partitions() { return 8; }
            @Override public int unitExamples() { return unitExamples; }
            @Override public Duration unitTimeout() { return unitTimeout; }
            @Override public int maxAttempts() { return maxAttempts; }
        };
    }

    /** The embedded database (no URL). */
    public static DatabaseConfig embeddedDatabase() {
        return new DatabaseConfig() {
            @Override public Optional<String> url() { return Optional.empty(); }
            @Override public Optional<String> username() { return Optional.empty(); }
            @Override public Optional<String> password() { return Optional.empty(); }
            @Override public String schema() { return "tale_orchestrator"; }
        };
    }
}
