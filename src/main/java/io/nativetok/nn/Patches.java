package io.nativetok.nn;

import ai.djl.ndarray.NDArray;

/**
 * Conversions between images and sequences of flattened patches.
 *
 * <p>An image {@code (B, 3, H, W)} with patch size p becomes {@code (B, N, p*p*3)} with {@code N =
 * (H/p)(W/p)} patches in row-major order; each patch vector holds its pixels row by row, with the
 * three channels of a pixel adjacent.
 */
public final class Patches {

    private Patches() {}

    /** Splits {@code (B, C, H, W)} images into {@code (B, N, p*p*C)} patch vectors. */
    public static NDArray patchify(NDArray images, int patch) {
        long batch = images.getShape().get(0);
        long channels = images.getShape().get(1);
        long rows = images.getShape().get(2) / patch;
        long cols = images.getShape().get(3) / patch;
        NDArray x = images.reshape(batch, channels, rows, patch, cols, patch);
        x = x.transpose(0, 2, 4, 3, 5, 1); // (B, rows, cols, p, p, C)
        return x.reshape(batch, rows * cols, (long) patch * patch * channels);
    }

    /** Reassembles {@code (B, N, p*p*C)} patch vectors into {@code (B, C, H, W)} images. */
    public static NDArray unpatchify(NDArray patches, int patch, int height, int width) {
        long batch = patches.getShape().get(0);
        long channels = patches.getShape().get(2) / ((long) patch * patch);
        long rows = height / patch;
        long cols = width / patch;
        NDArray x = patches.reshape(batch, rows, cols, patch, patch, channels);
        x = x.transpose(0, 5, 1, 3, 2, 4); // (B, C, rows, p, cols, p)
        return x.reshape(batch, channels, height, width);
    }
}
