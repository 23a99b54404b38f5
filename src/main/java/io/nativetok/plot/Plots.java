package io.nativetok.plot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.tokenizer.NativeTok;
import java.awt.image.BufferedImage;

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
}
