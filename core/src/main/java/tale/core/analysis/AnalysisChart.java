package tale.core.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The chart of an analysis.json, drawn from the JSON itself so that what is plotted is what the file says.
 * The x axis is the layer: the early exit and the probe after layer l, the score without layer l (-1: the
 * embeddings, before any layer). Scores on the left axis, mutual information in bits on the right.
 */
public final class AnalysisChart {

    public static final String LOGIT_LENS = "logit lens: early exit after the layer";
    public static final String REMOVAL = "without only this layer";
    public static final String FULL_MODEL = "full model";
    public static final String SEARCH_REMOVED = "removed by the search (final)";
    public static final String MUTUAL_INFORMATION = "mutual information, bits (right axis)";
    public static final String FILE_STEM = "analysis";

    private static final Color LENS_COLOR = new Color(0x1f77b4);
    private static final Color REMOVAL_COLOR = new Color(0xff7f0e);
    private static final Color MI_COLOR = new Color(0x2ca02c);
    private static final Color SEARCH_COLOR = new Color(0xd62728);

    private AnalysisChart() { }

    /** The chart of {@code analysis} (an analysis.json tree). */
    public static XYChart of(JsonNode analysis) {
        JsonNode run = analysis.path("run");
        String title = String.format(Locale.ROOT, "%s on %s (%s split, %d examples, %s scoring)",
                Path.of(run.path("model").asText("model")).getFileName(), run.path("task").asText(),
                run.path("analysedSplit").asText(), analysis.path("examples").asInt(), run.path("scoring").asText());
        XYChart chart = new XYChartBuilder().width(1000).height(560).title(title).xAxisTitle("layer (-1: the embeddings, before layer 0)")
                .yAxisTitle("accuracy").build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0, 0.0).setYAxisMax(0, 1.0);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.setYAxisGroupTitle(0, "accuracy");
        chart.setYAxisGroupTitle(1, "bits");

        JsonNode layers = analysis.path("layers");
        int numLayers = analysis.path("numLayers").asInt();
        List<Double> lensX = new ArrayList<>(), lensY = new ArrayList<>(), miY = new ArrayList<>();
        List<Double> removalX = new ArrayList<>(), removalY = new ArrayList<>();
        for (JsonNode l : layers) {
            double x = l.path("layer").asDouble();
            lensX.add(x);
            lensY.add(l.path("logitLens").path("accuracy").asDouble());
            miY.add(l.path("mutualInformation").path("bits").asDouble());
            if (!l.path("removal").isNull()) {
                removalX.add(x);
                removalY.add(l.path("removal").path("accuracy").asDouble());
            }
        }
        double full = analysis.path("fullModel").path("accuracy").asDouble();
        XYSeries fullLine = chart.addSeries(FULL_MODEL, new double[] {-1, numLayers - 1}, new double[] {full, full});
        fullLine.setMarker(SeriesMarkers.NONE);
        fullLine.setLineColor(Color.GRAY);
        fullLine.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        XYSeries lens = chart.addSeries(LOGIT_LENS, lensX, lensY);
        lens.setMarker(SeriesMarkers.CIRCLE);
        color(lens, LENS_COLOR);
        XYSeries removal = chart.addSeries(REMOVAL, removalX, removalY);
        removal.setMarker(SeriesMarkers.SQUARE);
        color(removal, REMOVAL_COLOR);
        JsonNode search = analysis.path("search");
        if (search.isObject() && search.path("finalRemoved").size() > 0) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (JsonNode r : search.path("finalRemoved")) {
                x.add(r.asDouble());
                y.add(removalY.get(removalX.indexOf(r.asDouble())));
            }
            XYSeries marks = chart.addSeries(SEARCH_REMOVED, x, y);
            marks.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            marks.setMarker(SeriesMarkers.DIAMOND);
            marks.setMarkerColor(SEARCH_COLOR);
            // A faint vertical line through each removed layer, so that the marks stay visible under other series.
            x.forEach(layer -> chart.addAnnotation(new AnnotationLine(layer, true, false)));
            styler.setAnnotationLineColor(new Color(0xd6, 0x27, 0x28, 0x60));
            styler.setAnnotationLineStroke(new BasicStroke(6f));
        }
        XYSeries mi = chart.addSeries(MUTUAL_INFORMATION, lensX, miY);
        mi.setYAxisGroup(1);
        mi.setMarker(SeriesMarkers.TRIANGLE_UP);
        color(mi, MI_COLOR);
        double entropy = analysis.path("labels").path("entropyBits").asDouble();
        chart.getStyler().setYAxisMin(1, 0.0);
        if (entropy > 0) chart.getStyler().setYAxisMax(1, entropy);
        styler.setMarkerSize(8);
        chart.getStyler().setXAxisMin(-1.0).setXAxisMax((double) numLayers - 1);
        // Layers are whole numbers: integer labels make xchart pick a whole-number tick step.
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart;
    }

    private static void color(XYSeries series, Color c) {
        series.setLineColor(c);
        series.setMarkerColor(c);
    }

    /** Writes {@code analysis.svg} and {@code analysis.png} into {@code dir}; returns their paths. */
    public static List<Path> write(XYChart chart, Path dir) {
        try {
            Files.createDirectories(dir);
            Path svg = dir.resolve(FILE_STEM + ".svg"), png = dir.resolve(FILE_STEM + ".png");
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
            return List.of(svg, png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the charts to " + dir + ": " + e.getMessage(), e);
        }
    }
}
