package tale.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The orchestrator's settings ({@code tale.orchestrator.*}; environment TALE_ORCHESTRATOR_*); see README.md. */
@ConfigMapping(prefix = "tale.orchestrator")
public interface OrchestratorConfig {

    /** Uploaded datasets ({@code datasets/<sha256>/<name>}) and the embedded job database live here. */
    Path dataDir();

    /** Task files that jobs may name by path ({@code data}); unset: jobs must use uploaded datasets. */
    Optional<Path> dataRoot();

    /** Models that jobs name ({@code model}), each a Hugging Face directory; read for the layer count. */
    Optional<Path> modelRoot();

    /** Partitions of the topics the orchestrator creates when they are missing. */
    @WithDefault("8")
    int partitions();

    /** Most examples in one work unit (a search request's shard). */
    @WithDefault("64")
    int unitExamples();

    /** A unit without a result after this long is published again, with the next attempt number. */
    @WithDefault("10m")
    Duration unitTimeout();

    /** Publications of one unit before its job fails. */
    @WithDefault("5")
    int maxAttempts();
}
