package tale.results.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One configuration of a search (a set of removed layers) with its accuracies.
 *
 * @param round          the round that accepted it (0: the baseline or the initial configuration)
 * @param testAccuracy   accuracy on the test split; null while the job runs or when the split is empty
 * @param estimatedSpeedup L / (L - removed), from the summary; null when unknown
 */
public record Configuration(int round, List<Integer> removed, int layersRemoved, Double searchAccuracy,
                            Double testAccuracy, Double estimatedSpeedup) {

    public Configuration {
        removed = List.copyOf(removed);
    }

    /** A CONFIGURATION object of summary.json (core/SEARCH.md); null for a missing or null node. */
    static Configuration fromSummary(JsonNode node) {
        if (node == null || node.isNull()) return null;
        List<Integer> removed = new ArrayList<>();
        node.path("removed").forEach(n -> removed.add(n.asInt()));
        return new Configuration(node.path("round").asInt(), removed, removed.size(), accuracy(node.get("search")),
                accuracy(node.get("test")), node.hasNonNull("estimatedSpeedup") ? node.get("estimatedSpeedup").asDouble() : null);
    }

    private static Double accuracy(JsonNode measure) {
        return measure == null || measure.isNull() || !measure.hasNonNull("accuracy") ? null : measure.get("accuracy").asDouble();
    }
}
