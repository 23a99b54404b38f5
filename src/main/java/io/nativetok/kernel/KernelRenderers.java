package io.nativetok.kernel;

import java.awt.image.BufferedImage;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.table.Relation;

/**
 * Registers how the kernel shows images, XChart charts and Tablesaw tables in a notebook.
 *
 * <p>Images and charts become {@code image/png} and tables an HTML table. Each also gets a
 * short {@code text/plain} form for front ends without HTML or images.
 */
final class KernelRenderers {

    private KernelRenderers() {}

    /** Adds the renderers to {@code renderer}. Tables show at most {@code maxTableRows} rows. */
    static void registerAll(Renderer renderer, int maxTableRows) {
        renderer.createRegistration(BufferedImage.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((image, context) -> {
                    Image.renderImage(image, context);
                    context.getOutputContainer().putText(describe(image));
                });

        renderer.createRegistration(chartClass())
                .preferring(MIMEType.IMAGE_PNG)
                .register((chart, context) -> {
                    Image.renderImage(BitmapEncoder.getBufferedImage(chart), context);
                    context.getOutputContainer().putText(describe(chart));
                });

        renderer.createRegistration(Relation.class)
                .preferring(MIMEType.TEXT_HTML)
                .register((table, context) -> {
                    context.getOutputContainer().putHTML(TableHtml.render(table, maxTableRows));
                    context.getOutputContainer().putText(table.print(maxTableRows));
                });
    }

    @SuppressWarnings("unchecked")
    private static Class<Chart<?, ?>> chartClass() {
        return (Class<Chart<?, ?>>) (Class<?>) Chart.class;
    }

    private static String describe(BufferedImage image) {
        return "BufferedImage " + image.getWidth() + "x" + image.getHeight();
    }

    private static String describe(Chart<?, ?> chart) {
        String title = chart.getTitle() == null || chart.getTitle().isBlank() ? "" : " \"" + chart.getTitle() + "\"";
        return chart.getClass().getSimpleName() + title + " " + chart.getWidth() + "x" + chart.getHeight();
    }
}
