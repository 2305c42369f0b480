package tale.messages;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Objects;

/**
 * A piece of a search round for one worker, published on {@link Topics#WORK_UNITS} keyed by {@code unitId}: score
 * each candidate (the configuration {@code removed} plus one more layer; {@code -1} is {@code removed} as it is) on
 * the examples at positions [from, to) of a split. One unit holds several candidates of a round so the worker
 * can run the shared prefix of their forwards once. Mirrors core's {@code ScoreRequest}, plus the job's spec.
 *
 * <p>JSON (schema version 1): {@code {"schemaVersion":1,"jobId":"j-1","unitId":"search/r2/0-64","attempt":1,
 * "spec":{...},"split":"search","round":2,"removed":[3],"candidates":[0,1,2,4],"from":0,"to":64}}
 *
 * @param attempt 1 for the first publication; a re-issued (late) unit has a higher attempt and the same unitId
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkUnit(int schemaVersion, String jobId, String unitId, int attempt, JobSpec spec, String split,
                       int round, List<Integer> removed, List<Integer> candidates, int from, int to)
        implements Message {

    public static final int SCHEMA_VERSION = 1;

    public WorkUnit {
        Checks.version("WorkUnit", schemaVersion, SCHEMA_VERSION);
        Checks.text("jobId", jobId);
        Checks.text("unitId", unitId);
        Objects.requireNonNull(spec, "spec is missing");
        Checks.text("split", split);
        Objects.requireNonNull(removed, "removed is missing");
        Objects.requireNonNull(candidates, "candidates is missing");
        removed = List.copyOf(removed);
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) throw new IllegalArgumentException("candidates is empty");
        if (attempt < 1) throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        if (from < 0 || to <= from) throw new IllegalArgumentException("empty example range " + from + "-" + to);
    }

    public static WorkUnit of(String jobId, String unitId, int attempt, JobSpec spec, String split, int round,
                              List<Integer> removed, List<Integer> candidates, int from, int to) {
        return new WorkUnit(SCHEMA_VERSION, jobId, unitId, attempt, spec, split, round, removed, candidates, from, to);
    }
}
