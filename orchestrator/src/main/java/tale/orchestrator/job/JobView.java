package tale.orchestrator.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import tale.messages.JobEvent;
import tale.messages.JobSpec;

/**
 * A job as {@code GET /jobs/{id}} shows it.
 *
 * @param round     the round being scored (0: baseline, select and test steps)
 * @param step      baseline, round, select, test or done; null before the search starts
 * @param done      examples x candidates scored in the current step
 * @param total     examples x candidates the current step needs
 * @param floor     baseline accuracy - epsilon, once the baseline is scored
 * @param rounds    every decided round so far: the trajectory
 * @param summary   the search summary, as {@code tale search} writes summary.json (once succeeded)
 * @param error     why the job failed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String id, String state, JobSpec spec, Instant createdAt, int round, String step, long done,
                      long total, int numLayers, Double floor, List<JobEvent.RoundResult> rounds,
                      Map<String, Object> summary, String error) {
}
