package tale.modelserver.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import tale.modelserver.batch.BatchScheduler;
import tale.modelserver.model.Deployment;
import tale.modelserver.model.Profile;
import tale.modelserver.model.ServedModel;

/**
 * The server's own metrics, exported at /q/metrics next to Quarkus' HTTP and JVM ones:
 * {@code tale_requests_total}, {@code tale_request_duration_seconds} (histogram),
 * {@code tale_generated_tokens_total}, {@code tale_generation_tokens_per_second},
 * {@code tale_profile_active_layers}, {@code tale_queue_depth}, {@code tale_batch_sequences}.
 */
@ApplicationScoped
public class ServingMetrics implements BatchScheduler.Observer {

    /** How a request ended. */
    public enum Outcome { OK, INVALID, NOT_FOUND, REJECTED, UNAVAILABLE, ERROR }

    @Inject MeterRegistry registry;

    /** A finished request; {@code deployment} is null when the request never resolved to one. */
    public void request(String endpoint, Deployment deployment, Outcome outcome, long nanos) {
        Tags tags = Tags.of("endpoint", endpoint, "model", deployment == null ? "none" : deployment.model(),
                "profile", deployment == null ? "none" : deployment.profile());
        Counter.builder("tale.requests").description("Requests by outcome")
                .tags(tags).tag("outcome", outcome.name().toLowerCase()).register(registry).increment();
        if (outcome == Outcome.OK) {
            Timer.builder("tale.request.duration").description("Request latency, admission to last byte")
                    .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(2)).register(registry).record(Duration.ofNanos(nanos));
        }
    }

    /** Tokens a generation produced and the time its batch spent producing them. */
    public void generated(Deployment deployment, int tokens, long runNanos) {
        Tags tags = Tags.of("model", deployment.model(), "profile", deployment.profile());
        Counter.builder("tale.generated.tokens").description("Tokens generated").tags(tags).register(registry)
                .increment(tokens);
        if (tokens > 0 && runNanos > 0) {
            DistributionSummary.builder("tale.generation.tokens.per.second")
                    .description("Decoding speed of each generation (its tokens over its batch's run time)")
                    .tags(tags).register(registry).record(tokens * 1e9 / runNanos);
        }
    }

    @Override
    public void batchRan(String model, String kind, int sequences, int tokens, long nanos) {
        DistributionSummary.builder("tale.batch.sequences").description("Sequences per batched forward")
                .tags("model", model, "kind", kind).register(registry).record(sequences);
    }

    public void watch(ServedModel model) {
        Gauge.builder("tale.queue.depth", model, ServedModel::queued).description("Requests waiting")
                .tags("model", model.name()).register(registry);
        model.profiles().forEach(this::watch);
    }

    public void watch(Profile profile) {
        Gauge.builder("tale.profile.active.layers", profile, p -> p.current().mask().activeCount())
                .description("Layers a profile runs").tags("model", profile.model(), "profile", profile.name())
                .register(registry);
    }

    public void forget(Profile profile) {
        registry.find("tale.profile.active.layers").tags("model", profile.model(), "profile", profile.name())
                .meters().forEach(registry::remove);
    }
}
