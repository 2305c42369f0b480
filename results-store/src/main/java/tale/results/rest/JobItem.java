package tale.results.rest;

import java.time.Instant;
import tale.results.persistence.JobRecord;

/** One line of {@code GET /api/jobs}: a job's latest state, without its spec and summary. */
public record JobItem(String id, String model, String task, String state, int round, String step, long done, long total,
                      Integer numLayers, Double floor, String error, Instant submittedAt, Instant updatedAt) {

    static JobItem of(JobRecord j) {
        return new JobItem(j.id(), j.model(), j.task(), j.state(), j.round(), j.step(), j.done(), j.total(), j.numLayers(),
                j.floor(), j.error(), j.submittedAt(), j.updatedAt());
    }
}
