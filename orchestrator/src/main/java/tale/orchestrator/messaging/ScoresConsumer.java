package tale.orchestrator.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import tale.messages.UnitResult;
import tale.orchestrator.job.JobService;

/**
 * Reads workers' results from tale.scores in the orchestrator's own consumer group. A record that is not a
 * UnitResult (malformed, unknown schema version) fails here and goes to tale.scores.dlq; the partition moves on.
 */
@ApplicationScoped
public class ScoresConsumer {

    private final ObjectMapper json;
    private final JobService jobs;

    public ScoresConsumer(ObjectMapper json, JobService jobs) {
        this.json = json;
        this.jobs = jobs;
    }

    @Incoming("scores")
    @Blocking
    public void consume(String record) throws JsonProcessingException {
        jobs.onResult(json.readValue(record, UnitResult.class));
    }
}
