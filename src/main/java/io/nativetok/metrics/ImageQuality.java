package io.nativetok.metrics;

/**
 * PSNR and SSIM between images with values in [0, 1], stored planar as {@code (3, H, W)} floats.
 *
 * <p>SSIM follows Wang et al. (2004): an 11 x 11 Gaussian window with sigma 1.5, constants {@code
 * C1 = (0.01)^2} and {@code C2 = (0.03)^2} for a data range of 1, computed per channel over the
 * "valid" window positions (no padding) and averaged over channels and positions. Images smaller
 * than the window use a window clipped to the image.
 */
public final class ImageQuality {

    private static final int WINDOW = 11;
    private static final double SIGMA = 1.5;
    private static final double C1 = 0.01 * 0.01;
    private static final double C2 = 0.03 * 0.03;
    private static final double[] KERNEL = gaussian(WINDOW, SIGMA);

    private ImageQuality() {}

    /** Returns the mean squared error over {@code length} values starting at {@code offset}. */
    public static double mse(float[] a, float[] b, int offset, int length) {
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum / length;
    }

    /**
     * Returns the PSNR in dB for a data range of 1; identical images give positive infinity.
     */
    public static double psnr(float[] a, float[] b, int offset, int length) {
        double mse = mse(a, b, offset, length);
        return mse == 0 ? Double.POSITIVE_INFINITY : -10 * Math.log10(mse);
    }

    /**
     * Returns the SSIM of one image pair.
     *
     * @param a first image, planar {@code (3, H, W)} starting at {@code offset}
     * @param b second image, same layout
     */
    public static double ssim(float[] a, float[] b, int offset, int channels, int height, int width) {
        double total = 0;
        for (int c = 0; c < channels; c++) {
            total += ssimPlane(a, b, offset + c * height * width, height, width);
        }
        return total / channels;
    }

    private static double ssimPlane(float[] a, float[] b, int offset, int height, int width) {
        int window = Math.min(WINDOW, Math.min(height, width));
        double[] kernel = window == WINDOW ? KERNEL : gaussian(window, SIGMA);
        int outHeight = height - window + 1;
        int outWidth = width - window + 1;

        // Separable filtering: rows first into (H, outWidth) buffers, then columns.
        double[][] rowFiltered = new double[5][height * outWidth];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < outWidth; x++) {
                double ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
                for (int k = 0; k < window; k++) {
                    int index = offset + y * width + x + k;
                    double va = a[index];
                    double vb = b[index];
                    double w = kernel[k];
                    ma += w * va;
                    mb += w * vb;
                    aa += w * va * va;
                    bb += w * vb * vb;
                    ab += w * va * vb;
                }
                int out = y * outWidth + x;
                rowFiltered[0][out] = ma;
                rowFiltered[1][out] = mb;
                rowFiltered[2][out] = aa;
                rowFiltered[3][out] = bb;
                rowFiltered[4][out] = ab;
            }
        }

        double sum = 0;
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                double[] m = new double[5];
                for (int k = 0; k < window; k++) {
                    int index = (y + k) * outWidth + x;
                    for (int s = 0; s < 5; s++) {
                        m[s] += kernel[k] * rowFiltered[s][index];
                    }
                }
                double muA = m[0];
                double muB = m[1];
                double varA = m[2] - muA * muA;
                double varB = m[3] - muB * muB;
                double cov = m[4] - muA * muB;
                sum +=
                        ((2 * muA * muB + C1) * (2 * cov + C2))
                                / ((muA * muA + muB * muB + C1) * (varA + varB + C2));
            }
        }
        return sum / (outHeight * outWidth);
    }

    private static double[] gaussian(int size, double sigma) {
        double[] kernel = new double[size];
        double center = (size - 1) / 2.0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            kernel[i] = Math.exp(-((i - center) * (i - center)) / (2 * sigma * sigma));
            total += kernel[i];
        }
        for (int i = 0; i < size; i++) {
            kernel[i] /= total;
        }
        return kernel;
    }
}
