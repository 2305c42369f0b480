package tale.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.w3c.dom.Document;
import tale.core.analysis.AnalysisChart;
import tale.core.analysis.AnalysisReport;
import tale.core.model.TinyCheckpoint;

/**
 * `tale analyze` end to end on a random tiny checkpoint, after a real `tale search`: analysis.json agrees with
 * `tale eval`, the chart plots exactly the file's numbers and marks the search's removed layers, the images open,
 * bad input exits 2.
 */
class AnalyzeCommandTest {

    static final int LAYERS = 4;

    @TempDir
    static Path tmp;
    static Path model, data, searchOut, analysisOut;
    static EvalCommandTest.Run analysis;

    @BeforeAll
    static void setUp() throws Exception {
        model = tmp.resolve("tiny");
        TinyCheckpoint.write(TinyCheckpoint.Spec.defaults("llama").withLayers(LAYERS).withSeed(5), model);
        data = tmp.resolve("sums.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int gold = i % 3;
            List<String> choices = new ArrayList<>();
            for (int c = 0; c < 3; c++) choices.add(String.valueOf(i + 2 + c - gold));
            lines.add("{\"query\": \"What is " + i + " plus 2?\", \"choices\": [\"" + String.join("\", \"", choices)
                    + "\"], \"gold\": " + gold + "}");
        }
        Files.write(data, lines);
        searchOut = tmp.resolve("search");
        EvalCommandTest.Run search = EvalCommandTest.tale(common("search", "--out", searchOut.toString(), "--epsilon", "1",
                "--max-removed", "2"));
        assertEquals(0, search.exit(), search.err());
        analysisOut = tmp.resolve("analysis");
        analysis = EvalCommandTest.tale(common("analyze", "--out", analysisOut.toString(), "--search-summary",
                searchOut.resolve("summary.json").toString()));
    }

    static String[] common(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--model", model.toString(), "--task", "mc", "--data",
                data.toString(), "--split-seed", "3", "--scoring", "margin", "--batch-size", "4"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    static JsonNode json(Path file) throws Exception {
        return new ObjectMapper().readTree(file.toFile());
    }

    @Test
    void analysisJsonAgreesWithTaleEval() throws Exception {
        assertEquals(0, analysis.exit(), analysis.err());
        JsonNode a = json(analysisOut.resolve("analysis.json"));
        assertEquals(1, a.get("schemaVersion").asInt());
        assertEquals(LAYERS, a.get("numLayers").asInt());
        assertEquals(LAYERS + 1, a.get("layers").size());
        assertEquals("search", a.at("/run/analysedSplit").asText());
        EvalCommandTest.Run eval = EvalCommandTest.tale("eval", "--model", model.toString(), "--task", "mc", "--data",
                data.toString(), "--split-seed", "3", "--scoring", "margin", "--split", "search");
        assertEquals(0, eval.exit(), eval.err());
        JsonNode normal = new ObjectMapper().readTree(eval.out());
        for (String field : List.of("n", "accuracy", "mean_margin")) {
            assertEquals(normal.get(field), a.at("/fullModel/" + field), "full model " + field);
            assertEquals(normal.get(field), a.at("/layers/" + LAYERS + "/logitLens/" + field), "exit after the last layer " + field);
        }
        double h = a.at("/labels/entropyBits").asDouble();
        assertTrue(h > 1, "three gold labels: " + h);
        for (JsonNode l : a.get("layers")) {
            double bits = l.at("/mutualInformation/bits").asDouble();
            assertTrue(bits >= 0 && bits <= h, "MI " + bits);
        }
        JsonNode summary = json(searchOut.resolve("summary.json"));
        assertEquals(summary.at("/final/removed"), a.at("/search/finalRemoved"));
        assertTrue(summary.at("/final/removed").size() > 0, "the search removed layers (epsilon 1)");
        // Round 1 of the search is the single-layer removal of the analysis.
        for (JsonNode cand : summary.at("/rounds/0/candidates")) {
            int layer = cand.get("layer").asInt();
            assertEquals(cand.get("accuracy").asDouble(), a.at("/layers/" + (layer + 1) + "/removal/accuracy").asDouble(), 0.0);
            assertEquals(cand.get("meanMargin").asDouble(), a.at("/layers/" + (layer + 1) + "/removal/mean_margin").asDouble(), 1e-9);
        }
        assertTrue(analysis.out().contains("removed by the search"), analysis.out());
    }

    @Test
    void chartPlotsTheNumbersOfAnalysisJsonAndTheImagesOpen() throws Exception {
        assertEquals(0, analysis.exit(), analysis.err());
        JsonNode a = json(analysisOut.resolve("analysis.json"));
        XYChart chart = AnalysisChart.of(AnalysisReport.read(analysisOut.resolve("analysis.json")));
        Map<String, XYSeries> series = chart.getSeriesMap();
        double[] layers = new double[LAYERS + 1], lens = new double[LAYERS + 1], mi = new double[LAYERS + 1];
        double[] removalX = new double[LAYERS], removal = new double[LAYERS];
        for (int k = 0; k <= LAYERS; k++) {
            JsonNode l = a.get("layers").get(k);
            layers[k] = l.get("layer").asDouble();
            lens[k] = l.at("/logitLens/accuracy").asDouble();
            mi[k] = l.at("/mutualInformation/bits").asDouble();
            if (k > 0) {
                removalX[k - 1] = layers[k];
                removal[k - 1] = l.at("/removal/accuracy").asDouble();
            }
        }
        assertArrayEquals(layers, series.get(AnalysisChart.LOGIT_LENS).getXData());
        assertArrayEquals(lens, series.get(AnalysisChart.LOGIT_LENS).getYData());
        assertArrayEquals(layers, series.get(AnalysisChart.MUTUAL_INFORMATION).getXData());
        assertArrayEquals(mi, series.get(AnalysisChart.MUTUAL_INFORMATION).getYData());
        assertEquals(1, series.get(AnalysisChart.MUTUAL_INFORMATION).getYAxisGroup(), "bits on their own axis");
        assertArrayEquals(removalX, series.get(AnalysisChart.REMOVAL).getXData());
        assertArrayEquals(removal, series.get(AnalysisChart.REMOVAL).getYData());
        double full = a.at("/fullModel/accuracy").asDouble();
        assertArrayEquals(new double[] {full, full}, series.get(AnalysisChart.FULL_MODEL).getYData());
        double[] removed = new double[a.at("/search/finalRemoved").size()];
        double[] removedY = new double[removed.length];
        for (int i = 0; i < removed.length; i++) {
            removed[i] = a.at("/search/finalRemoved/" + i).asDouble();
            removedY[i] = a.at("/layers/" + ((int) removed[i] + 1) + "/removal/accuracy").asDouble();
        }
        assertArrayEquals(removed, series.get(AnalysisChart.SEARCH_REMOVED).getXData());
        assertArrayEquals(removedY, series.get(AnalysisChart.SEARCH_REMOVED).getYData());
        assertEquals(5, series.size());

        BufferedImage png = ImageIO.read(analysisOut.resolve("analysis.png").toFile());
        assertNotNull(png, "ImageIO reads the PNG");
        assertEquals(chart.getWidth(), png.getWidth());
        assertEquals(chart.getHeight(), png.getHeight());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document svg = f.newDocumentBuilder().parse(analysisOut.resolve("analysis.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        assertTrue(svg.getElementsByTagNameNS("*", "path").getLength() + svg.getElementsByTagNameNS("*", "polyline").getLength() > 0,
                "the SVG draws something");
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        EvalCommandTest.Run all = EvalCommandTest.tale(common("analyze", "--out", tmp.resolve("x").toString(), "--split", "all"));
        assertEquals(Tale.EXIT_BAD_INPUT, all.exit());
        assertTrue(all.err().contains("--split"), all.err());
        Path other = tmp.resolve("other-summary.json");
        Files.writeString(other, Files.readString(searchOut.resolve("summary.json")).replace("\"numLayers\" : " + LAYERS,
                "\"numLayers\" : 7"));
        EvalCommandTest.Run wrong = EvalCommandTest.tale(common("analyze", "--out", tmp.resolve("y").toString(),
                "--search-summary", other.toString()));
        assertEquals(Tale.EXIT_BAD_INPUT, wrong.exit());
        assertTrue(wrong.err().contains("7 layers"), wrong.err());
        EvalCommandTest.Run missing = EvalCommandTest.tale(common("analyze", "--out", tmp.resolve("z").toString(),
                "--search-summary", tmp.resolve("nope.json").toString()));
        assertEquals(Tale.EXIT_BAD_INPUT, missing.exit());
        assertTrue(missing.err().contains("nope.json"), missing.err());
        EvalCommandTest.Run folds = EvalCommandTest.tale(common("analyze", "--out", tmp.resolve("w").toString(), "--folds", "1"));
        assertEquals(Tale.EXIT_BAD_INPUT, folds.exit());
    }
}
