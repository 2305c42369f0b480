package tale.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import tale.core.model.TinyCheckpoint;
import tale.core.task.TaskFixtures;
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
        Files.write(dataRoot.resolve(TASK_FILE), TaskFixtures.arcSumRows(ROWS));
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
        return database(Optional.empty(), "tale_orchestrator");
    }

    /** PostgreSQL at {@code url} as user postgres (trust authentication), or the embedded database without a URL. */
    public static DatabaseConfig database(Optional<String> url, String schema) {
        return new DatabaseConfig() {
            @Override public Optional<String> url() { return url; }
            @Override public Optional<String> username() { return url.map(u -> "postgres"); }
            @Override public Optional<String> password() { return Optional.empty(); }
            @Override public String schema() { return schema; }
        };
    }
}
