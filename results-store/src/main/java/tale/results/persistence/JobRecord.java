package tale.results.persistence;

import java.time.Instant;

/**
 * A job's row: its latest state and, as stored JSON text, its spec and (once succeeded) its search summary.
 *
 * @param submittedAt when it was submitted; null when the store never saw the submitted event
 * @param updatedAt   time of the latest event applied
 */
public record JobRecord(String id, String model, String task, String state, int round, String step, long done,
                        long total, Integer numLayers, Double floor, String error, Instant submittedAt,
                        Instant updatedAt, String specJson, String summaryJson) {
}
