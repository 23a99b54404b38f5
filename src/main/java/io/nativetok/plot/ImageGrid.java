package io.nativetok.plot;

import ai.djl.ndarray.NDArray;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws rows of images into one picture, with an optional label at the left of each row.
 *
 * <p>Images are float arrays {@code (B, 3, H, W)} in [0, 1]; each is scaled up by an integer factor
 * with nearest-neighbour sampling, so small images such as CIFAR-10's stay sharp.
 */
public final class ImageGrid {

    private static final int GAP = 2;
    private static final Color BACKGROUND = Color.WHITE;

    private final int scale;
    private final int labelWidth;
    private final List<String> labels = new ArrayList<>();
    private final List<float[]> rows = new ArrayList<>();
    private final List<long[]> shapes = new ArrayList<>();

    /**
     * Creates an empty grid.
     *
     * @param scale integer upscaling factor, at least 1
     * @param labelWidth pixels reserved at the left for row labels; 0 for none
     */
    public ImageGrid(int scale, int labelWidth) {
        if (scale < 1) {
            throw new IllegalArgumentException("Invalid grid scale " + scale + ": expected 1 or more.");
        }
        this.scale = scale;
        this.labelWidth = labelWidth;
    }

    /** Returns a scale that makes images of {@code size} pixels at least about 96 pixels wide. */
    public static int scaleFor(int size) {
        return Math.max(1, 96 / Math.max(1, size));
    }

    /** Adds a row of images {@code (B, 3, H, W)} in [0, 1]. */
    public ImageGrid addRow(String label, NDArray images) {
        labels.add(label);
        rows.add(images.toFloatArray());
        shapes.add(images.getShape().getShape());
        return this;
    }

    /** Renders the grid. */
    public BufferedImage render() {
        int columns = 0;
        int cellHeight = 0;
        int cellWidth = 0;
        for (long[] shape : shapes) {
            columns = Math.max(columns, (int) shape[0]);
            cellHeight = Math.max(cellHeight, (int) shape[2] * scale);
            cellWidth = Math.max(cellWidth, (int) shape[3] * scale);
        }
        int width = labelWidth + columns * (cellWidth + GAP) + GAP;
        int height = rows.size() * (cellHeight + GAP) + GAP;
        BufferedImage canvas = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int r = 0; r < rows.size(); r++) {
            int top = GAP + r * (cellHeight + GAP);
            if (labelWidth > 0 && labels.get(r) != null) {
                g.setColor(Color.BLACK);
                g.drawString(labels.get(r), 4, top + cellHeight / 2 + 4);
            }
            drawRow(canvas, rows.get(r), shapes.get(r), labelWidth + GAP, top, cellWidth + GAP);
        }
        g.dispose();
        return canvas;
    }

    private void drawRow(BufferedImage canvas, float[] pixels, long[] shape, int left, int top, int step) {
        int count = (int) shape[0];
        int height = (int) shape[2];
        int width = (int) shape[3];
        int plane = height * width;
        for (int b = 0; b < count; b++) {
            int base = b * 3 * plane;
            for (int y = 0; y < height * scale; y++) {
                for (int x = 0; x < width * scale; x++) {
                    int source = (y / scale) * width + (x / scale);
                    int red = toByte(pixels[base + source]);
                    int green = toByte(pixels[base + plane + source]);
                    int blue = toByte(pixels[base + 2 * plane + source]);
                    canvas.setRGB(left + b * step + x, top + y, (red << 16) | (green << 8) | blue);
                }
            }
        }
    }

    private static int toByte(float value) {
        return Math.max(0, Math.min(255, Math.round(value * 255)));
    }
}
