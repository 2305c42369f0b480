package tale.results.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Across succeeded jobs, per model and task: the configuration with the highest search accuracy (among the jobs'
 * Best; more layers removed wins a tie) and the deepest configuration that kept the baseline's accuracy (among the
 * jobs' BSBA; higher accuracy wins a tie).
 */
public final class BestConfigurations {

    /** A configuration and the job that found it. */
    public record Found(String jobId, Configuration configuration) { }

    public record Group(String model, String task, int jobs, Found highestAccuracy, Found deepestAtBaseline) { }

    /** What one succeeded job contributes. */
    public record JobSummary(String jobId, String model, String task, JsonNode summary) { }

    private static final Comparator<Found> BY_ACCURACY = Comparator
            .comparing((Found f) -> f.configuration().searchAccuracy(), Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingInt(f -> f.configuration().layersRemoved());
    private static final Comparator<Found> BY_DEPTH = Comparator
            .comparingInt((Found f) -> f.configuration().layersRemoved())
            .thenComparing(f -> f.configuration().searchAccuracy(), Comparator.nullsFirst(Comparator.naturalOrder()));

    private BestConfigurations() { }

    public static List<Group> of(List<JobSummary> jobs) {
        Map<List<String>, List<JobSummary>> byModelTask = new TreeMap<>(Comparator
                .comparing((List<String> k) -> k.get(0)).thenComparing(k -> k.get(1)));
        for (JobSummary j : jobs) {
            byModelTask.computeIfAbsent(List.of(String.valueOf(j.model()), String.valueOf(j.task())),
                    k -> new ArrayList<>()).add(j);
        }
        return byModelTask.entrySet().stream().map(e -> new Group(e.getKey().get(0), e.getKey().get(1), e.getValue().size(),
                pick(e.getValue(), "best", BY_ACCURACY), pick(e.getValue(), "bsba", BY_DEPTH))).toList();
    }

    private static Found pick(List<JobSummary> jobs, String which, Comparator<Found> order) {
        return jobs.stream()
                .map(j -> new Found(j.jobId(), Configuration.fromSummary(j.summary().get(which))))
                .filter(f -> f.configuration() != null)
                .max(order).orElse(null);
    }
}
