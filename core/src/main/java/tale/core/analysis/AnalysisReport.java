package tale.core.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tale.core.InputException;
import tale.core.scoring.ResultsFile;
import tale.core.search.SearchReport;
import tale.core.task.Example;

/**
 * {@code analysis.json} (schema in core/ANALYSIS.md; {@link #SCHEMA_VERSION}), and the layers a search removed
 * as its {@code summary.json} says.
 */
public final class AnalysisReport {

    /** Bumped on any incompatible change of analysis.json. */
    public static final int SCHEMA_VERSION = 1;
    public static final String FILE = "analysis.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The configurations a search reported, by removed layers.
     *
     * @param summary the summary.json read
     */
    public record SearchMarks(Path summary, List<Integer> finalRemoved, List<Integer> bestRemoved,
                              List<Integer> bsbaRemoved) { }

    private AnalysisReport() { }

    /**
     * Reads the removed layers of a {@code tale search} summary.json; fails with an {@link InputException} when
     * the file is not one, or is for a model with another number of layers.
     */
    public static SearchMarks searchMarks(Path summary, int numLayers) {
        JsonNode root;
        try {
            root = JSON.readTree(summary.toFile());
        } catch (IOException e) {
            throw new InputException(summary + ": cannot read a search summary (" + e.getMessage() + ")");
        }
        if (root == null || root.path("schemaVersion").asInt(-1) != SearchReport.SCHEMA_VERSION) {
            throw new InputException(summary + ": not a tale search summary.json of schemaVersion " + SearchReport.SCHEMA_VERSION);
        }
        int searched = root.path("search").path("numLayers").asInt(-1);
        if (searched != numLayers) {
            throw new InputException(summary + ": the search ran on a model with " + searched + " layers, this one has " + numLayers);
        }
        return new SearchMarks(summary, removed(root, "final", summary, numLayers), removed(root, "best", summary, numLayers),
                removed(root, "bsba", summary, numLayers));
    }

    private static List<Integer> removed(JsonNode root, String which, Path file, int numLayers) {
        JsonNode a = root.path(which).path("removed");
        if (!a.isArray()) throw new InputException(file + ": \"" + which + ".removed\" is missing");
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : a) {
            if (!n.canConvertToInt() || n.asInt() < 0 || n.asInt() >= numLayers) {
                throw new InputException(file + ": \"" + which + ".removed\" holds " + n + ", not a layer of 0.." + (numLayers - 1));
            }
            out.add(n.asInt());
        }
        return out;
    }

    /**
     * The analysis as JSON.
     *
     * @param run    what was analysed, as the caller describes it (model, task, data, ...), written under "run"
     * @param search the search's removed layers, or null
     */
    public static ObjectNode json(LayerAnalysis.Result r, Map<String, Object> run, SearchMarks search) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        ObjectNode runNode = root.putObject("run");
        run.forEach((k, v) -> runNode.set(k, JSON.valueToTree(v)));
        root.put("numLayers", r.numLayers());
        root.put("examples", r.examples().size());
        ObjectNode labels = root.putObject("labels");
        ArrayNode classes = labels.putArray("classes");
        ArrayNode counts = labels.putArray("counts");
        for (String c : r.classes()) {
            classes.add(c);
            counts.add(r.examples().stream().map(Example::answer).filter(c::equals).count());
        }
        labels.put("entropyBits", r.information().get(0).labelEntropyBits());
        ObjectNode probe = root.putObject("probe");
        probe.put("model", "L2-regularized logistic regression (liblinear L2R_LR), temperature-scaled");
        probe.put("features", "residual stream at the prompt's last token, standardized");
        probe.put("folds", r.probe().folds());
        probe.put("c", r.probe().c());
        probe.put("seed", r.probe().seed());
        root.set("fullModel", ResultsFile.summaryJson(r.full()));
        ArrayNode layers = root.putArray("layers");
        for (int k = 0; k <= r.numLayers(); k++) {
            ObjectNode o = layers.addObject();
            o.put("layer", k - 1);
            o.put("boundary", k);
            o.set("logitLens", ResultsFile.summaryJson(r.logitLens().get(k)));
            ProbeMutualInformation.Estimate mi = r.information().get(k);
            ObjectNode m = o.putObject("mutualInformation");
            m.put("bits", mi.bits());
            m.put("crossEntropyBits", mi.crossEntropyBits());
            m.put("probeAccuracy", mi.probeAccuracy());
            if (k == 0) o.putNull("removal");
            else o.set("removal", ResultsFile.summaryJson(r.removal().get(k - 1)));
        }
        if (search == null) {
            root.putNull("search");
        } else {
            ObjectNode s = root.putObject("search");
            s.put("summary", search.summary().toAbsolutePath().toString());
            s.set("finalRemoved", JSON.valueToTree(search.finalRemoved()));
            s.set("bestRemoved", JSON.valueToTree(search.bestRemoved()));
            s.set("bsbaRemoved", JSON.valueToTree(search.bsbaRemoved()));
        }
        return root;
    }

    public static void write(Path file, JsonNode analysis) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, JSON.writeValueAsString(analysis) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads an analysis.json back. */
    public static JsonNode read(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || root.path("schemaVersion").asInt(-1) != SCHEMA_VERSION) {
                throw new InputException(file + ": not an analysis.json of schemaVersion " + SCHEMA_VERSION);
            }
            return root;
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
