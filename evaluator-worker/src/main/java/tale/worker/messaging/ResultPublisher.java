package tale.worker.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import tale.messages.UnitResult;

/** Publishes unit results on tale.scores keyed by job id, and returns only once the broker has acknowledged them. */
@ApplicationScoped
public class ResultPublisher {

    private static final long TIMEOUT_SECONDS = 60;

    @Inject
    @Channel("scores")
    Emitter<String> scores;

    @Inject
    ObjectMapper json;

    /** @throws ResultNotPublished when the broker did not take the result (the unit must not be committed) */
    public void publish(UnitResult result) {
        String value;
        try {
            value = json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unit result cannot be written as JSON", e);
        }
        CompletableFuture<Void> sent = new CompletableFuture<>();
        scores.send(Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(result.jobId()).build())
                .withAck(() -> {
                    sent.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    sent.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                }));
        try {
            sent.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new ResultNotPublished(result, e.getCause());
        } catch (TimeoutException e) {
            throw new ResultNotPublished(result, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResultNotPublished(result, e);
        }
    }

    /** The broker did not acknowledge a result. */
    public static final class ResultNotPublished extends RuntimeException {
        ResultNotPublished(UnitResult result, Throwable cause) {
            super("result of unit " + result.unitId() + " of job " + result.jobId() + " was not published: " + cause, cause);
        }
    }
}
