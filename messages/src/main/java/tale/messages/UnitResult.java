package tale.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * A worker's answer to a {@link WorkUnit}, published on {@link Topics#SCORES} keyed by {@code jobId}: either
 * {@code scores} (candidate layer, {@code -1} for as-is, to one score per example in unit order) or an
 * {@code error} naming why the unit cannot be evaluated (missing model, bad data); never both.
 *
 * @param workerId   which worker answered (for operators and for counting work per worker)
 * @param elapsedMs  time the worker spent on the unit
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UnitResult(int schemaVersion, String jobId, String unitId, int attempt, String workerId,
                         Map<Integer, List<ExampleScore>> scores, String error, long elapsedMs) implements Message {

    public static final int SCHEMA_VERSION = 1;

    public UnitResult {
        Checks.version("UnitResult", schemaVersion, SCHEMA_VERSION);
        Checks.text("jobId", jobId);
        Checks.text("unitId", unitId);
        Checks.text("workerId", workerId);
        if ((scores == null) == (error == null)) {
            throw new IllegalArgumentException("a unit result holds either scores or an error, not "
                    + (scores == null ? "neither" : "both"));
        }
        scores = scores == null ? null : Map.copyOf(scores);
    }

    public static UnitResult scored(String jobId, String unitId, int attempt, String workerId,
                                    Map<Integer, List<ExampleScore>> scores, long elapsedMs) {
        return new UnitResult(SCHEMA_VERSION, jobId, unitId, attempt, workerId, scores, null, elapsedMs);
    }

    public static UnitResult failed(String jobId, String unitId, int attempt, String workerId, String error,
                                    long elapsedMs) {
        return new UnitResult(SCHEMA_VERSION, jobId, unitId, attempt, workerId, null, error, elapsedMs);
    }

    public boolean failed() {
        return error != null;
    }
}
