package tale.worker.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import tale.messages.ExampleScore;
import tale.messages.UnitResult;
import tale.messages.WorkUnit;
import tale.worker.config.WorkerId;
import tale.worker.evaluation.UnitEvaluator;
import tale.worker.metrics.WorkerMetrics;

/**
 * Work units from tale.work-units, one at a time (ordered, blocking): each is evaluated, its result published
 * on tale.scores, and only then is the record acknowledged, so a worker that dies mid-unit leaves it uncommitted
 * and the group redelivers it. Evaluation is deterministic and the orchestrator ignores duplicate results, so
 * redelivery is safe.
 *
 * <p>A unit that cannot be evaluated (missing model, bad data, unknown task, invalid unit) is answered with an
 * error result naming the cause and nacked: the dead-letter strategy parks the record in tale.work-units.dlq and
 * the partition moves on. A record that is not JSON at all names no job to answer: it only goes to the
 * dead-letter topic.
 */
@ApplicationScoped
public class WorkUnitConsumer {

    private static final Logger LOG = Logger.getLogger(WorkUnitConsumer.class);

    @Inject ObjectMapper json;
    @Inject UnitEvaluator evaluator;
    @Inject ResultPublisher publisher;
    @Inject WorkerMetrics metrics;
    @Inject WorkerId workerId;

    @Incoming("work-units")
    @Blocking
    public CompletionStage<Void> consume(Message<String> record) {
        long t0 = System.nanoTime();
        WorkUnit unit;
        try {
            unit = UnitRecord.parse(json, record.getPayload());
        } catch (UnitRecord.Unreadable e) {
            LOG.warnf("unreadable work unit sent to the dead-letter topic: %s", e.getMessage());
            e.address.ifPresent(a -> publisher.publish(UnitResult.failed(a.jobId(), a.unitId(), a.attempt(),
                    workerId.value(), e.getMessage(), millisSince(t0))));
            metrics.unit(WorkerMetrics.Outcome.UNREADABLE, System.nanoTime() - t0);
            return record.nack(new UnitFailed(e.getMessage()));
        }
        Map<Integer, List<ExampleScore>> scores;
        try {
            scores = evaluator.evaluate(unit);
        } catch (RuntimeException e) {
            String cause = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warnf("unit %s of job %s failed: %s", unit.unitId(), unit.jobId(), cause);
            publisher.publish(UnitResult.failed(unit.jobId(), unit.unitId(), unit.attempt(), workerId.value(), cause,
                    millisSince(t0)));
            metrics.unit(WorkerMetrics.Outcome.FAILED, System.nanoTime() - t0);
            return record.nack(new UnitFailed(cause));
        }
        publisher.publish(UnitResult.scored(unit.jobId(), unit.unitId(), unit.attempt(), workerId.value(), scores,
                millisSince(t0)));
        metrics.unit(WorkerMetrics.Outcome.SCORED, System.nanoTime() - t0);
        LOG.debugf("unit %s of job %s scored in %d ms", unit.unitId(), unit.jobId(), millisSince(t0));
        return record.ack();
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Why a record went to the dead-letter topic (its dead-letter-reason header). */
    static final class UnitFailed extends RuntimeException {
        UnitFailed(String message) {
            super(message);
        }
    }
}
