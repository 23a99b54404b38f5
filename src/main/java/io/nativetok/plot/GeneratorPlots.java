package io.nativetok.plot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.tokenizer.NativeTok;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/** Charts and pictures of the second stage, returned for notebooks and files; nothing is shown. */
public final class GeneratorPlots {

    private GeneratorPlots() {}

    /**
     * Draws per-position cross-entropy curves, one line per tokenizer.
     *
     * @param tables tokenizer name to a table from {@code TokenMetrics.perPositionCrossEntropy},
     *     with columns {@code position} and {@code cross_entropy_bits}
     * @param withMarginal also draw each tokenizer's marginal entropy ({@code
     *     marginal_entropy_bits}) as a dashed line
     */
    public static XYChart crossEntropyCurves(Map<String, Table> tables, boolean withMarginal) {
        XYChart chart = new XYChartBuilder()
                .width(720)
                .height(420)
                .title("Per-position cross-entropy of the AR generator")
                .xAxisTitle("token position i")
                .yAxisTitle("bits")
                .build();
        chart.getStyler().setMarkerSize(4);
        for (Map.Entry<String, Table> entry : tables.entrySet()) {
            Table table = entry.getValue();
            double[] positions = ((NumericColumn<?>) table.column("position")).asDoubleArray();
            double[] crossEntropy = ((NumericColumn<?>) table.column("cross_entropy_bits")).asDoubleArray();
            chart.addSeries(entry.getKey() + " H(z_i | z_<i, class)", positions, crossEntropy);
            if (withMarginal && table.columnNames().contains("marginal_entropy_bits")) {
                double[] marginal = ((NumericColumn<?>) table.column("marginal_entropy_bits")).asDoubleArray();
                chart.addSeries(entry.getKey() + " H(z_i)", positions, marginal)
                        .setMarker(SeriesMarkers.NONE)
                        .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            }
        }
        return chart;
    }

    /**
     * Decodes generated tokens and draws them as a grid with one row per class.
     *
     * @param tokens {@code int[N][L]} generated ids
     * @param classes the class of each row of {@code tokens}
     * @param classNames names indexed by class id, for the row labels
     */
    public static BufferedImage sampleGrid(NativeTok tokenizer, int[][] tokens, int[] classes, List<String> classNames) {
        if (tokens.length == 0 || tokens.length != classes.length) {
            throw new IllegalArgumentException(
                    "Invalid samples: " + tokens.length + " token rows and " + classes.length
                            + " classes; expected the same number, at least 1.");
        }
        Map<Integer, List<int[]>> byClass = new LinkedHashMap<>();
        for (int i = 0; i < tokens.length; i++) {
            byClass.computeIfAbsent(classes[i], c -> new ArrayList<>()).add(tokens[i]);
        }
        int scale = ImageGrid.scaleFor(tokenizer.config().imageSize());
        ImageGrid grid = new ImageGrid(scale, 90);
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            for (Map.Entry<Integer, List<int[]>> entry : byClass.entrySet()) {
                int c = entry.getKey();
                String label = c < classNames.size() ? classNames.get(c) : "class " + c;
                NDArray images = tokenizer.decode(entry.getValue().toArray(int[][]::new), scope);
                grid.addRow(label, images);
            }
        }
        return grid.render();
    }
}
