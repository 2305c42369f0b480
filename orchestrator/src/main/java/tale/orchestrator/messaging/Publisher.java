package tale.orchestrator.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import tale.messages.JobEvent;
import tale.messages.SelectionEvent;
import tale.messages.WorkUnit;

/** Publishes the orchestrator's messages as JSON, each keyed as the topics' table in messages/README.md says. */
@ApplicationScoped
public class Publisher {

    private final ObjectMapper json;
    private final Emitter<String> units;
    private final Emitter<String> jobs;
    private final Emitter<String> selections;

    public Publisher(ObjectMapper json,
                     @Channel("units") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096) Emitter<String> units,
                     @Channel("jobs") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096) Emitter<String> jobs,
                     @Channel("selections") Emitter<String> selections) {
        this.json = json;
        this.units = units;
        this.jobs = jobs;
        this.selections = selections;
    }

    /** Keyed by unit id, so a round's units spread over the partitions (and the workers). */
    public void unit(WorkUnit unit) {
        send(units, unit.unitId(), unit);
    }

    /** Keyed by job id, so a job's events stay in order. */
    public void event(JobEvent event) {
        send(jobs, event.jobId(), event);
    }

    /** Keyed by model name, so one model's selections stay in order. */
    public void selection(SelectionEvent event) {
        send(selections, event.model(), event);
    }

    private void send(Emitter<String> emitter, String key, Object value) {
        String body;
        try {
            body = json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: " + e.getMessage(), e);
        }
        emitter.send(Message.of(body).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
