package io.nativetok.plot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.tokenizer.NativeTok;
import java.awt.image.BufferedImage;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.Table;

/**
 * Pictures of what a tokenizer does, returned as images for notebooks, files and reports; nothing
 * here opens a window.
 */
public final class Plots {

    private Plots() {}

    /**
     * Draws originals above their reconstructions.
     *
     * @param images {@code (B, 3, H, W)} in [0, 1]
     */
    public static BufferedImage reconstructions(NativeTok tokenizer, NDArray images) {
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray decoded = tokenizer.reconstruct(images);
            decoded.attach(scope);
            int scale = ImageGrid.scaleFor(tokenizer.config().imageSize());
            return new ImageGrid(scale, 90)
                    .addRow("original", images)
                    .addRow("reconstruction", decoded)
                    .render();
        }
    }

    /**
     * Draws, for each image, its decodings from the first k tokens for each given k, with the
     * original in the first column.
     *
     * @param images {@code (B, 3, H, W)} in [0, 1]
     * @param prefixes prefix lengths between 1 and L
     */
    public static BufferedImage prefixReconstructions(
            NativeTok tokenizer, NDArray images, int... prefixes) {
        try (NDManager scope = images.getManager().newSubManager()) {
            int[][] ids = tokenizer.encode(images);
            int count = (int) images.getShape().get(0);
            int scale = ImageGrid.scaleFor(tokenizer.config().imageSize());
            ImageGrid grid = new ImageGrid(scale, 70);
            grid.addRow("original", images);
            for (int k : prefixes) {
                NDArray decoded = tokenizer.decodePrefix(ids, k, scope);
                grid.addRow("first " + k, decoded);
            }
            if (count == 0) {
                throw new IllegalArgumentException("No images to draw: the batch is empty.");
            }
            return grid.render();
        }
    }

    /**
     * Draws one line per tokenizer of a column against another, e.g. the {@code mse_change} of
     * {@link io.nativetok.metrics.TokenPositions#influence} against {@code position}.
     *
     * @param tables one table per line, keyed by the line's name (e.g. the encoder kind)
     */
    public static XYChart lineChart(
            String title, Map<String, Table> tables, String xColumn, String yColumn) {
        XYChart chart =
                new XYChartBuilder().width(640).height(400).title(title).xAxisTitle(xColumn).yAxisTitle(yColumn).build();
        // Below the plot area, so that the legend never covers a data point.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        for (Map.Entry<String, Table> entry : tables.entrySet()) {
            Table table = entry.getValue();
            double[] x = table.numberColumn(xColumn).asDoubleArray();
            double[] y = table.numberColumn(yColumn).asDoubleArray();
            chart.addSeries(entry.getKey(), x, y);
        }
        return chart;
    }

    /** Draws per-position influence, one line per tokenizer. */
    public static XYChart influenceChart(Map<String, Table> influenceByTokenizer) {
        return lineChart("Influence of each token position", influenceByTokenizer, "position", "mse_change");
    }

    /** Draws prefix PSNR against prefix length, one line per tokenizer. */
    public static XYChart prefixChart(Map<String, Table> prefixQualityByTokenizer) {
        return lineChart("Reconstruction from the first k tokens", prefixQualityByTokenizer, "prefix", "psnr");
    }

    /** Renders an XChart chart to an image. */
    public static BufferedImage toImage(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }
}
