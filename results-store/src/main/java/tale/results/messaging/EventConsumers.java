package tale.results.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import tale.messages.JobEvent;
import tale.messages.SelectionEvent;
import tale.messages.UnitResult;
import tale.results.persistence.EventStore;

/**
 * Keeps every event of the three topics. A record that does not parse as its type (or names an unknown schema
 * version) throws here; the channel's dead-letter-queue strategy then parks it on the topic's {@code .dlq} and
 * the partition moves on. Writes are idempotent, so a redelivered record changes nothing; while the database is
 * unreachable a write waits and retries ({@link Persistently}).
 */
@ApplicationScoped
public class EventConsumers {

    private static final Logger LOG = Logger.getLogger(EventConsumers.class);

    @Inject
    ObjectMapper json;
    @Inject
    EventStore store;

    @Incoming("jobs")
    @Blocking
    public void job(String record) throws SQLException {
        JobEvent event = read(record, JobEvent.class);
        Persistently.write("job event " + event.jobId(), () -> store.record(event));
        LOG.debugf("job %s: %s (%s)", event.jobId(), event.type(), event.state());
    }

    @Incoming("scores")
    @Blocking
    public void score(String record) throws SQLException {
        UnitResult result = read(record, UnitResult.class);
        Persistently.write("unit result " + result.unitId(), () -> store.record(result));
    }

    @Incoming("selections")
    @Blocking
    public void selection(String record) throws SQLException {
        SelectionEvent selection = read(record, SelectionEvent.class);
        Persistently.write("selection of job " + selection.jobId(), () -> store.record(selection));
    }

    private <T> T read(String record, Class<T> type) {
        if (record == null) throw new IllegalArgumentException("empty record: expected a " + type.getSimpleName());
        try {
            return json.readValue(record, type);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
