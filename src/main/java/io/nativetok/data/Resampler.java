package io.nativetok.data;

/**
 * Resizing of planar 8-bit RGB images: scale so the short side fits the target, then crop the
 * center.
 *
 * <p>The filter is a separable triangle (bilinear) filter whose support widens by the reduction
 * factor when shrinking, so a downscale averages every source pixel instead of skipping rows
 * and columns (no aliasing). Enlarging uses plain bilinear interpolation.
 */
final class Resampler {

    private Resampler() {
    }

    /**
     * Returns a {@code dstHeight x dstWidth} planar image: {@code source} scaled by
     * {@code max(dstHeight / srcHeight, dstWidth / srcWidth)} and cropped to the center. Returns
     * {@code source} itself when the sizes already match.
     */
    static byte[] resizeAndCrop(byte[] source, int srcHeight, int srcWidth, int dstHeight, int dstWidth) {
        if (srcHeight == dstHeight && srcWidth == dstWidth) {
            return source;
        }
        double scale = Math.max((double) dstHeight / srcHeight, (double) dstWidth / srcWidth);
        int scaledHeight = Math.max(dstHeight, (int) Math.round(srcHeight * scale));
        int scaledWidth = Math.max(dstWidth, (int) Math.round(srcWidth * scale));
        Weights columns = Weights.of(srcWidth, scaledWidth, (scaledWidth - dstWidth) / 2, dstWidth);
        Weights rows = Weights.of(srcHeight, scaledHeight, (scaledHeight - dstHeight) / 2, dstHeight);

        byte[] result = new byte[3 * dstHeight * dstWidth];
        float[] horizontal = new float[srcHeight * dstWidth];
        for (int channel = 0; channel < 3; channel++) {
            int srcBase = channel * srcHeight * srcWidth;

            // Horizontal pass: (srcHeight, srcWidth) -> (srcHeight, dstWidth).
            for (int y = 0; y < srcHeight; y++) {
                int rowBase = srcBase + y * srcWidth;
                for (int x = 0; x < dstWidth; x++) {
                    float sum = 0;
                    for (int k = 0; k < columns.count[x]; k++) {
                        sum += columns.weight[x][k] * (source[rowBase + columns.first[x] + k] & 0xFF);
                    }
                    horizontal[y * dstWidth + x] = sum;
                }
            }

            // Vertical pass: (srcHeight, dstWidth) -> (dstHeight, dstWidth).
            int dstBase = channel * dstHeight * dstWidth;
            for (int y = 0; y < dstHeight; y++) {
                for (int x = 0; x < dstWidth; x++) {
                    float sum = 0;
                    for (int k = 0; k < rows.count[y]; k++) {
                        sum += rows.weight[y][k] * horizontal[(rows.first[y] + k) * dstWidth + x];
                    }
                    result[dstBase + y * dstWidth + x] = (byte) Math.min(255, Math.max(0, Math.round(sum)));
                }
            }
        }
        return result;
    }

    /** Filter taps along one axis: for output pixel i, source pixels first[i] .. first[i] + count[i] - 1. */
    private static final class Weights {
        final int[] first;
        final int[] count;
        final float[][] weight;

        private Weights(int outputs) {
            first = new int[outputs];
            count = new int[outputs];
            weight = new float[outputs][];
        }

        /**
         * Computes taps for scaling an axis of {@code srcLength} pixels to {@code scaledLength} and
         * keeping outputs {@code offset} to {@code offset + outputs - 1}.
         */
        static Weights of(int srcLength, int scaledLength, int offset, int outputs) {
            Weights weights = new Weights(outputs);
            double ratio = (double) srcLength / scaledLength;
            double support = Math.max(1.0, ratio);
            for (int i = 0; i < outputs; i++) {
                double center = (i + offset + 0.5) * ratio;
                int lo = Math.max(0, (int) Math.floor(center - support));
                int hi = Math.min(srcLength, (int) Math.ceil(center + support));
                float[] taps = new float[hi - lo];
                double total = 0;
                for (int j = lo; j < hi; j++) {
                    double distance = Math.abs((j + 0.5 - center) / support);
                    double tap = Math.max(0.0, 1.0 - distance);
                    taps[j - lo] = (float) tap;
                    total += tap;
                }
                for (int k = 0; k < taps.length; k++) {
                    taps[k] = (float) (taps[k] / total);
                }
                weights.first[i] = lo;
                weights.count[i] = taps.length;
                weights.weight[i] = taps;
            }
            return weights;
        }
    }
}
