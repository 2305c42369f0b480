package tale.core.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A finished search's outputs: {@code summary.json} (schema in core/SEARCH.md; {@link #SCHEMA_VERSION}),
 * {@code trajectory.csv} ({@code round,layer,score,accepted}) and a table for people.
 */
public final class SearchReport {

    /** Bumped on any incompatible change of summary.json. */
    public static final int SCHEMA_VERSION = 1;

    /** What the search cost: layer forwards as the local evaluator counts them, and wall time. */
    public record Cost(long layerForwards, double wallSeconds) { }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SearchReport() { }

    /**
     * Writes summary.json and trajectory.csv into {@code dir} (created if needed).
     *
     * @param run what was searched, as the caller describes it (model, task, data, scoring, ...), written
     *            under "run" in the given order
     */
    public static void write(Path dir, SearchResult result, Map<String, Object> run, Cost cost) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.json"), JSON.writeValueAsString(summary(result, run, cost)) + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("trajectory.csv"), trajectoryCsv(result), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the search results to " + dir + ": " + e.getMessage(), e);
        }
    }

    public static ObjectNode summary(SearchResult result, Map<String, Object> run, Cost cost) {
        SearchConfig c = result.config();
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ObjectNode r = root.putObject("run");
        run.forEach((k, v) -> r.set(k, JSON.valueToTree(v)));
        ObjectNode s = root.putObject("search");
        s.put("numLayers", c.numLayers());
        s.put("epsilon", c.epsilon());
        s.put("maxRemoved", c.maxRemoved());
        s.put("objective", c.objective().toString());
        s.set("initialRemoved", ints(c.initialRemoved()));
        s.put("selectOn", c.selectOnSelect() ? "select" : "search");
        ObjectNode racing = s.putObject("racing");
        racing.put("enabled", c.racing().enabled());
        racing.put("firstShard", c.racing().firstShard());
        racing.put("confidence", c.racing().confidence());
        ObjectNode splits = s.putObject("splits");
        splits.put("search", c.searchSize());
        splits.put("select", c.selectSize());
        splits.put("test", c.testSize());
        root.put("floor", result.floor());
        root.put("stopReason", result.stopReason().name().toLowerCase(Locale.ROOT));
        root.set("baseline", configuration(result.baseline()));
        root.set("best", configuration(result.best()));
        root.set("bsba", configuration(result.bsba()));
        root.set("final", configuration(result.last()));
        ArrayNode chain = root.putArray("chain");
        result.chain().forEach(x -> chain.add(configuration(x)));
        ArrayNode rounds = root.putArray("rounds");
        for (SearchState.Round round : result.rounds()) {
            ObjectNode o = rounds.addObject();
            o.put("round", round.round());
            o.set("removedBefore", ints(round.removedBefore()));
            o.put("winner", round.winner());
            o.put("accepted", round.accepted());
            ArrayNode cands = o.putArray("candidates");
            for (SearchState.Candidate cand : round.candidates()) {
                ObjectNode x = cands.addObject();
                x.put("layer", cand.layer());
                x.put("score", cand.measure().score(c.objective()));
                measure(x, cand.measure());
                x.put("dropped", cand.dropped());
            }
        }
        ObjectNode co = root.putObject("cost");
        co.put("layerForwards", cost.layerForwards());
        co.put("wallSeconds", cost.wallSeconds());
        return root;
    }

    private static ObjectNode configuration(SearchResult.Reported r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("round", r.round());
        o.set("removed", ints(r.removed()));
        o.put("layersKept", r.layersKept());
        Double speedup = r.estimatedSpeedup();
        if (speedup == null) o.putNull("estimatedSpeedup");
        else o.put("estimatedSpeedup", speedup);
        o.set("search", measureNode(r.search()));
        o.set("select", measureNode(r.select()));
        o.set("test", measureNode(r.test()));
        return o;
    }

    private static ObjectNode measureNode(Measure m) {
        if (m == null) return null;
        ObjectNode o = JSON.createObjectNode();
        measure(o, m);
        return o;
    }

    private static void measure(ObjectNode o, Measure m) {
        o.put("accuracy", m.accuracy());
        o.put("correct", m.correct());
        o.put("examples", m.examples());
        if (Double.isNaN(m.meanMargin())) o.putNull("meanMargin");
        else o.put("meanMargin", m.meanMargin());
    }

    private static ArrayNode ints(List<Integer> xs) {
        ArrayNode a = JSON.createArrayNode();
        xs.forEach(a::add);
        return a;
    }

    /** {@code round,layer,score,accepted}: every candidate of every round; score by the objective. */
    public static String trajectoryCsv(SearchResult result) {
        StringBuilder sb = new StringBuilder("round,layer,score,accepted\n");
        for (SearchResult.Step s : result.trajectory()) {
            sb.append(s.round()).append(',').append(s.layer()).append(',').append(s.score()).append(',')
                    .append(s.accepted()).append('\n');
        }
        return sb.toString();
    }

    /** The rounds and the four reported configurations, as aligned text. */
    public static String table(SearchResult result) {
        SearchConfig c = result.config();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-6s %-7s %12s %10s  %-8s%n", "round", "winner", c.objective(),
                "accuracy", "accepted"));
        for (SearchState.Round r : result.rounds()) {
            Measure m = r.candidate(r.winner()).measure();
            sb.append(String.format(Locale.ROOT, "%-6d %-7d %12.4f %10.4f  %-8s%n", r.round(), r.winner(),
                    m.score(c.objective()), m.accuracy(), r.accepted() ? "yes" : "no"));
        }
        sb.append(String.format(Locale.ROOT, "floor %.4f; stopped: %s%n%n", result.floor(),
                result.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        boolean select = c.selectOnSelect();
        sb.append(String.format(Locale.ROOT, "%-9s %-24s %7s %9s %11s%s %9s%n", "", "removed", "layers", "speed-up",
                "search acc", select ? String.format("%11s", "select acc") : "", "test acc"));
        row(sb, "baseline", result.baseline(), c, select);
        row(sb, "best", result.best(), c, select);
        row(sb, "bsba", result.bsba(), c, select);
        row(sb, "final", result.last(), c, select);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, SearchResult.Reported r, SearchConfig c, boolean select) {
        String removed = r.removed().isEmpty() ? "-" : r.removed().stream().map(String::valueOf).collect(Collectors.joining(","));
        Double speedup = r.estimatedSpeedup();
        sb.append(String.format(Locale.ROOT, "%-9s %-24s %7s %9s %11.4f%s %9s%n", name, removed,
                r.layersKept() + "/" + c.numLayers(), speedup == null ? "-" : String.format(Locale.ROOT, "%.2fx", speedup),
                r.search().accuracy(), select ? String.format(Locale.ROOT, "%11.4f", r.select().accuracy()) : "",
                r.test() == null ? "-" : String.format(Locale.ROOT, "%.4f", r.test().accuracy())));
    }
}
