package tale.orchestrator.job;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tale.core.search.SearchState;
import tale.messages.JobSpec;

/**
 * One search job in memory. Mutable, and only touched under its own monitor ({@code synchronized (job)}) by
 * {@link JobService}, which persists it after every change.
 */
final class Job {

    /** A published unit waiting for its result: the attempt last published and when. */
    record Outstanding(int attempt, Instant publishedAt) { }

    final String id;
    final JobSpec spec;
    final int numLayers;
    final Instant createdAt;
    JobStatus status = JobStatus.QUEUED;
    String error;
    /** The running job's search inputs; null for finished jobs restored from the database. */
    PreparedJob prepared;
    SearchState state;
    /** Unit id to its outstanding publication, for the current step's units without a result. */
    final Map<String, Outstanding> outstanding = new LinkedHashMap<>();
    Map<String, Object> summary;
    /** When this process started (or resumed) driving the search, for the summary's wall time. */
    long startedNanos = System.nanoTime();

    Job(String id, JobSpec spec, int numLayers, Instant createdAt) {
        this.id = id;
        this.spec = spec;
        this.numLayers = numLayers;
        this.createdAt = createdAt;
    }
}
