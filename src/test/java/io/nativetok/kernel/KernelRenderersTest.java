package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class KernelRenderersTest {

    private static Renderer renderer;

    @BeforeAll
    static void registerRenderers() {
        System.setProperty("java.awt.headless", "true");
        renderer = new Renderer();
        KernelRenderers.registerAll(renderer, 3);
    }

    private static BufferedImage decodePng(DisplayData data) throws IOException {
        Object png = data.getData(MIMEType.IMAGE_PNG);
        assertNotNull(png, "no image/png data");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) png)));
        assertNotNull(image, "image/png data is not a readable PNG");
        return image;
    }

    @Test
    void bufferedImageRenderedAsPng() throws IOException {
        BufferedImage image = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 1, 0x00FF00);

        DisplayData data = renderer.render(image);

        BufferedImage decoded = decodePng(data);
        assertEquals(5, decoded.getWidth());
        assertEquals(3, decoded.getHeight());
        assertEquals(0x00FF00, decoded.getRGB(1, 1) & 0xFFFFFF);
        assertEquals("BufferedImage 5x3", data.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void xchartRenderedAsPng() throws IOException {
        XYChart chart = new XYChartBuilder().width(200).height(120).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3}, new double[] {3, 1, 2});

        DisplayData data = renderer.render(chart);

        BufferedImage decoded = decodePng(data);
        assertEquals(200, decoded.getWidth());
        assertEquals(120, decoded.getHeight());
        assertEquals("XYChart \"loss\" 200x120", data.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void tableRenderedAsHtmlAndText() {
        Table table = Table.create("steps", IntColumn.create("step", new int[] {1, 2, 3, 4, 5}));

        DisplayData data = renderer.render(table);

        String html = (String) data.getData(MIMEType.TEXT_HTML);
        assertNotNull(html, "no text/html data");
        assertTrue(html.contains("<th>step</th>"), html);
        assertTrue(html.contains("2 more rows not shown (5 rows in all)."), html);
        String text = (String) data.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.contains("step"), text);
    }
}
