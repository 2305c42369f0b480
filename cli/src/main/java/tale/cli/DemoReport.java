package tale.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The demo's result table: the four configurations of a job's summary, with the speed-up measured here. */
final class DemoReport {

    static final List<String> CONFIGURATIONS = List.of("baseline", "best", "bsba", "final");

    private DemoReport() { }

    /** The layers each configuration removes, in table order. */
    static List<List<Integer>> removals(JsonNode summary) {
        List<List<Integer>> all = new ArrayList<>();
        for (String c : CONFIGURATIONS) all.add(removed(summary.path(c)));
        return all;
    }

    static List<Integer> removed(JsonNode configuration) {
        return ints(configuration.path("removed"));
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> r = new ArrayList<>();
        array.forEach(n -> r.add(n.asInt()));
        return r;
    }

    /**
     * @param seconds generation time per removal set (from {@link SpeedComparison}); the empty set is the full model
     */
    static String table(JsonNode summary, Map<List<Integer>, Double> seconds) {
        int layers = summary.path("search").path("numLayers").asInt();
        double full = seconds.getOrDefault(List.of(), Double.NaN);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-9s %-20s %7s %10s %9s %13s %13s%n", "", "layers removed", "layers",
                "search acc", "test acc", "ideal speed-up", "measured"));
        for (String c : CONFIGURATIONS) {
            JsonNode n = summary.path(c);
            List<Integer> removed = removed(n);
            Double t = seconds.get(removed);
            JsonNode test = n.path("test");
            sb.append(String.format(Locale.ROOT, "%-9s %-20s %7s %10.4f %9s %13s %13s%n", c,
                    removed.isEmpty() ? "-" : removed.stream().map(String::valueOf).collect(Collectors.joining(",")),
                    n.path("layersKept").asInt() + "/" + layers, n.path("search").path("accuracy").asDouble(),
                    test.isMissingNode() || test.isNull() ? "-" : String.format(Locale.ROOT, "%.4f", test.path("accuracy").asDouble()),
                    String.format(Locale.ROOT, "%.2fx", layers / (double) Math.max(1, n.path("layersKept").asInt())),
                    t == null || Double.isNaN(full) ? "-" : String.format(Locale.ROOT, "%.2fx", full / t)));
        }
        sb.append(String.format(Locale.ROOT, "floor %.4f (baseline - epsilon); stopped: %s%n", summary.path("floor").asDouble(),
                summary.path("stopReason").asText().replace('_', ' ')));
        return sb.toString();
    }
}
