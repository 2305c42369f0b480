package tale.messages;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What happened to a job, published by the orchestrator on {@link Topics#JOBS} keyed by {@code jobId} (so a
 * job's events stay in order). The results store keeps them all; the dashboard draws from them.
 *
 * @param type        what happened
 * @param spec        the job's request (on {@code submitted}; null otherwise)
 * @param state       the job's state after the event: {@code queued}, {@code running}, {@code succeeded},
 *                    {@code failed} or {@code cancelled}
 * @param round       the search round (0: the baseline)
 * @param step        the search step running: {@code baseline}, {@code round}, {@code select}, {@code test}; or null
 * @param done        examples x candidates scored in the current step
 * @param total       examples x candidates the current step needs
 * @param numLayers   layers of the full model, once known; or null
 * @param floor       baseline accuracy - epsilon, once known; or null
 * @param roundResult a finished round's candidates (on {@code round}); or null
 * @param summary     the search summary, as {@code tale search} writes it to summary.json (on {@code succeeded})
 * @param error       why the job failed (on {@code failed})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record JobEvent(int schemaVersion, String jobId, Type type,
                       @JsonFormat(shape = JsonFormat.Shape.STRING) Instant timestamp, JobSpec spec, String state,
                       int round, String step, long done, long total, Integer numLayers, Double floor,
                       RoundResult roundResult, Map<String, Object> summary, String error) implements Message {

    public static final int SCHEMA_VERSION = 1;

    public enum Type {
        @JsonProperty("submitted") SUBMITTED,
        @JsonProperty("progress") PROGRESS,
        @JsonProperty("round") ROUND,
        @JsonProperty("succeeded") SUCCEEDED,
        @JsonProperty("failed") FAILED,
        @JsonProperty("cancelled") CANCELLED
    }

    /**
     * A decided search round.
     *
     * @param removedBefore layers removed before the round
     * @param candidates    every candidate's measure on the search split (dropped by racing or not)
     * @param winner        the best candidate's layer
     * @param accepted      whether the winner stayed at or above the floor (and was removed)
     */
    public record RoundResult(int round, List<Integer> removedBefore, List<CandidateScore> candidates, int winner,
                              boolean accepted) {
        public RoundResult {
            removedBefore = List.copyOf(removedBefore);
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * @param accuracy   accuracy on the examples scored
     * @param meanMargin mean gold margin; null when the scoring gives none
     * @param examples   examples scored (fewer than the split when racing dropped the candidate)
     * @param dropped    racing stopped scoring it
     */
    public record CandidateScore(int layer, double accuracy, Double meanMargin, int examples, boolean dropped) { }

    public JobEvent {
        Checks.version("JobEvent", schemaVersion, SCHEMA_VERSION);
        Checks.text("jobId", jobId);
        Objects.requireNonNull(type, "type is missing");
        Objects.requireNonNull(timestamp, "timestamp is missing");
        Checks.text("state", state);
        if (type == Type.SUBMITTED) Objects.requireNonNull(spec, "a submitted event carries the job's spec");
        if (type == Type.ROUND) Objects.requireNonNull(roundResult, "a round event carries the round's result");
        if (type == Type.FAILED) Checks.text("error", error);
    }
}
