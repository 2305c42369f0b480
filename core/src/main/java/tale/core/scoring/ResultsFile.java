package tale.core.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tale.core.InputException;

/**
 * Per-example results as JSON Lines, one object a line: {@code index}, {@code prediction}, {@code gold},
 * {@code correct}, {@code margin} (null when not computed), {@code invalid}, and when present {@code output}
 * (generated text) and {@code prediction_norm} (loglik mode).
 */
public final class ResultsFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultsFile() { }

    public static void write(Path file, List<ExampleResult> results) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (BufferedWriter w = Files.newBufferedWriter(file)) {
                for (ExampleResult r : results) {
                    w.write(toJson(r));
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public static String toJson(ExampleResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("index", r.index());
        o.put("prediction", r.prediction());
        o.put("gold", r.gold());
        o.put("correct", r.correct());
        putNumber(o, "margin", r.margin());
        o.put("invalid", r.invalid());
        if (r.output() != null) o.put("output", r.output());
        if (r.predictionNorm() != null) o.put("prediction_norm", r.predictionNorm());
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An evaluation's totals as a JSON object: {@code task}, {@code scoring}, {@code n}, {@code accuracy},
     * {@code invalid}, {@code mean_margin} (null when no example has a margin) and, in loglik mode,
     * {@code acc_norm}.
     */
    public static ObjectNode summaryJson(EvaluationSummary s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("task", s.task());
        o.put("scoring", s.scoring().toString());
        o.put("n", s.n());
        o.put("accuracy", s.accuracy());
        o.put("invalid", s.invalid());
        putNumber(o, "mean_margin", s.meanMargin());
        if (!Double.isNaN(s.accNorm())) o.put("acc_norm", s.accNorm());
        return o;
    }

    /** JSON has no NaN: a number not computed is null. */
    private static void putNumber(ObjectNode o, String field, double value) {
        if (Double.isNaN(value)) o.putNull(field);
        else o.put(field, value);
    }

    public static List<ExampleResult> read(Path file) {
        List<ExampleResult> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = file + ":" + (i + 1);
            try {
                JsonNode n = JSON.readTree(lines.get(i));
                for (String f : List.of("index", "prediction", "gold", "correct", "invalid")) {
                    if (!n.hasNonNull(f)) throw new InputException(where + ": missing field \"" + f + "\"");
                }
                JsonNode margin = n.get("margin");
                out.add(new ExampleResult(n.get("index").asInt(), n.get("prediction").asText(), n.get("gold").asText(),
                        n.get("correct").asBoolean(), margin == null || margin.isNull() ? Double.NaN : margin.asDouble(),
                        n.get("invalid").asBoolean(), n.hasNonNull("output") ? n.get("output").asText() : null,
                        n.hasNonNull("prediction_norm") ? n.get("prediction_norm").asText() : null));
            } catch (JsonProcessingException e) {
                throw new InputException(where + ": malformed JSON (" + e.getOriginalMessage() + ")");
            }
        }
        return out;
    }
}
