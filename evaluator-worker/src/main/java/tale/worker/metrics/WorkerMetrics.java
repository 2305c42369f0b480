package tale.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import tale.worker.config.WorkerId;

/**
 * Units handled, by outcome, and the seconds each took, tagged with the worker's id:
 * {@code tale_worker_units_total{worker,outcome}} and {@code tale_worker_unit_seconds_{count,sum,max}{worker,outcome}}.
 */
@ApplicationScoped
public class WorkerMetrics {

    /** scored: a result with scores; failed: an error result; unreadable: not a work unit. */
    public enum Outcome { SCORED, FAILED, UNREADABLE }

    @Inject MeterRegistry registry;
    @Inject WorkerId workerId;

    public void unit(Outcome outcome, long nanos) {
        String tag = outcome.name().toLowerCase(Locale.ROOT);
        Counter.builder("tale.worker.units").description("Work units handled").tag("worker", workerId.value())
                .tag("outcome", tag).register(registry).increment();
        Timer.builder("tale.worker.unit").description("Time spent on one work unit").tag("worker", workerId.value())
                .tag("outcome", tag).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }
}
