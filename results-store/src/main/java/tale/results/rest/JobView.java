package tale.results.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import tale.messages.JobEvent.RoundResult;
import tale.messages.SelectionEvent;
import tale.results.persistence.WorkerUnits;

/**
 * {@code GET /api/jobs/{id}}: the job's latest state, its spec, every decided round with its candidate scores, the
 * search summary (summary.json of {@code tale search}; null until the job succeeds), per-worker unit counts and the
 * selections it published.
 */
public record JobView(String id, String model, String task, String state, int round, String step, long done, long total,
                      Integer numLayers, Double floor, String error, Instant submittedAt, Instant updatedAt,
                      JsonNode spec, JsonNode summary, List<RoundResult> rounds, List<WorkerUnits> workers,
                      List<SelectionEvent> selections) {
}
