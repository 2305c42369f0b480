package tale.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Every {@code tale.worker.*} setting; evaluator-worker/README.md has the table. */
@ConfigMapping(prefix = "tale.worker")
public interface WorkerConfig {

    /** Folder that model names in work units resolve under. */
    String modelRoot();

    /** Folder where datasets fetched from the orchestrator are kept, one folder per SHA-256. */
    String dataCache();

    /** Folder that a job's {@code data} path resolves under; without it such jobs are refused. */
    Optional<String> dataRoot();

    /** Base URL of the orchestrator, which serves {@code GET /datasets/{id}}. */
    String orchestratorUrl();

    /** cpu, gpu, gpu:N or auto. */
    @WithDefault("cpu")
    String device();

    /** f32 or f16; f16 applies on a GPU only. */
    @WithDefault("f32")
    String precision();

    /** Loaded models kept at once. */
    @WithDefault("1")
    int maxModels();

    /** Prepared job inputs (rows, prompts, tokenized batches) kept per loaded model. */
    @WithDefault("4")
    int maxJobs();

    /** Examples per forward. */
    @WithDefault("16")
    int batchSize();

    /** Padded tokens per forward, about. */
    @WithDefault("8192")
    int batchTokens();

    /** Longest a dataset download may take. */
    @WithDefault("PT2M")
    Duration fetchTimeout();

    /** This worker's name in results and metrics; default: the host name. */
    Optional<String> id();
}
