package tale.orchestrator.job;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tale.messages.JobEvent;
import tale.orchestrator.messaging.Publisher;

/**
 * Where job events go: tale.jobs, and every open event stream ({@code GET /jobs/{id}/events}) of the job. A
 * stream starts with the job's latest event and ends after a final one (succeeded, failed, cancelled).
 */
@ApplicationScoped
public class JobEventHub {

    private final Publisher publisher;
    private final Map<String, List<MultiEmitter<? super JobEvent>>> listeners = new ConcurrentHashMap<>();
    private final Map<String, JobEvent> latest = new ConcurrentHashMap<>();

    public JobEventHub(Publisher publisher) {
        this.publisher = publisher;
    }

    void publish(JobEvent event) {
        publisher.event(event);
        synchronized (this) {
            latest.put(event.jobId(), event);
            List<MultiEmitter<? super JobEvent>> open = listeners.getOrDefault(event.jobId(), List.of());
            for (MultiEmitter<? super JobEvent> emitter : open) {
                emitter.emit(event);
                if (terminal(event)) emitter.complete();
            }
        }
    }

    /** The job's events from now on, after its latest one; {@code current} stands in when none was sent yet. */
    public Multi<JobEvent> stream(String jobId, JobEvent current) {
        return Multi.createFrom().emitter(emitter -> register(jobId, current, emitter));
    }

    /** Under the hub's lock, so no event falls between the latest one and the live ones. */
    private synchronized void register(String jobId, JobEvent current, MultiEmitter<? super JobEvent> emitter) {
        JobEvent last = latest.getOrDefault(jobId, current);
        emitter.emit(last);
        if (terminal(last)) {
            emitter.complete();
            return;
        }
        List<MultiEmitter<? super JobEvent>> open = listeners.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>());
        open.add(emitter);
        emitter.onTermination(() -> open.remove(emitter));
    }

    static boolean terminal(JobEvent e) {
        return e.type() == JobEvent.Type.SUCCEEDED || e.type() == JobEvent.Type.FAILED || e.type() == JobEvent.Type.CANCELLED;
    }
}
