package tale.results.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import tale.messages.JobEvent.CandidateScore;
import tale.messages.JobEvent.RoundResult;

/**
 * A job's path through configurations: the chain of accepted configurations (search and test accuracy against
 * layers removed), the floor, and Best/BSBA/Final once the job has succeeded. While the job runs, the points
 * come from its accepted rounds (search accuracy of each winner; the test split is scored at the end).
 *
 * @param baseline search accuracy of the full model; null until the summary arrives
 */
public record Trajectory(String jobId, Integer numLayers, Double floor, Double baseline, List<Configuration> points,
                         Configuration best, Configuration bsba, @JsonProperty("final") Configuration last) {

    public static Trajectory of(String jobId, Integer numLayers, Double floor, JsonNode summary, List<RoundResult> rounds) {
        if (summary != null && summary.has("chain")) {
            List<Configuration> chain = new ArrayList<>();
            summary.get("chain").forEach(c -> chain.add(Configuration.fromSummary(c)));
            Configuration baseline = Configuration.fromSummary(summary.get("baseline"));
            Double summaryFloor = summary.hasNonNull("floor") ? summary.get("floor").asDouble() : floor;
            return new Trajectory(jobId, numLayers, summaryFloor, baseline == null ? null : baseline.searchAccuracy(), chain,
                    Configuration.fromSummary(summary.get("best")), Configuration.fromSummary(summary.get("bsba")),
                    Configuration.fromSummary(summary.get("final")));
        }
        List<Configuration> points = new ArrayList<>();
        for (RoundResult round : rounds) {
            if (!round.accepted()) continue;
            List<Integer> removed = new ArrayList<>(round.removedBefore());
            removed.add(round.winner());
            removed.sort(null);
            Double accuracy = round.candidates().stream().filter(c -> c.layer() == round.winner())
                    .map(CandidateScore::accuracy).findFirst().orElse(null);
            points.add(new Configuration(round.round(), removed, removed.size(), accuracy, null, null));
        }
        return new Trajectory(jobId, numLayers, floor, null, points, null, null, null);
    }
}
