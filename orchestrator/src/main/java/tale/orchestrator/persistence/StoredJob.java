package tale.orchestrator.persistence;

import java.time.Instant;

/**
 * A job as a row: JSON columns as text, so the store does not care about their shape.
 *
 * @param searchState core SearchState JSON; null before the job starts
 * @param units       outstanding work units as JSON (unit id -> attempt)
 * @param summary     the search summary JSON once the job succeeded
 */
public record StoredJob(String id, String spec, String state, int numLayers, String searchState, String units,
                        String summary, String error, Instant createdAt, Instant updatedAt) {
}
