package tale.modelserver.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Every {@code tale.*} setting of the model server; see model-server/README.md for the table. */
@ConfigMapping(prefix = "tale")
public interface ServerConfig {

    /** The served models by name: {@code tale.models.<name>.path} and friends. */
    Map<String, ModelSettings> models();

    /** Folder that relative model paths are resolved against. */
    Optional<String> modelRoot();

    Admin admin();

    Serving serving();

    Selections selections();

    interface ModelSettings {
        /** Hugging Face checkpoint directory, absolute or relative to {@code tale.model-root}. */
        String path();

        /** cpu, gpu, gpu:N or auto. */
        @WithDefault("cpu")
        String device();

        /** f32 or f16. */
        @WithDefault("f32")
        String precision();

        /** Named profiles: profile name to the layers it removes ("3,5"; "none" for the full model). */
        Map<String, String> profiles();
    }

    interface Admin {
        /** Bearer token of the /admin endpoints; without one they answer 403. */
        Optional<String> token();
    }

    interface Serving {
        /** Requests waiting per model; beyond it requests are refused with 429. */
        @WithDefault("64")
        int queueCapacity();

        /** Requests run together in one batched forward. */
        @WithDefault("8")
        int maxBatchSize();

        /** How long a batch waits for more requests when fewer than max-batch-size are waiting. */
        @WithDefault("20ms")
        Duration batchWindow();

        /** Largest max_tokens a request may ask for. */
        @WithDefault("256")
        int maxTokens();

        /** max_tokens when a request gives none. */
        @WithDefault("16")
        int defaultMaxTokens();

        /** Longest prompt, in tokens. */
        @WithDefault("4096")
        int maxPromptTokens();

        /** Most choices one /v1/score request may score. */
        @WithDefault("32")
        int maxChoices();
    }

    interface Selections {
        /**
         * Served model for each model name that selection events use, when they differ
         * ({@code tale.selections.models.<event model>=<served model>}); by default the names are equal.
         */
        Map<String, String> models();
    }
}
