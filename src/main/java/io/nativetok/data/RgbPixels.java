package io.nativetok.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Conversion of decoded images of any pixel format to planar 8-bit RGB. */
final class RgbPixels {

    private RgbPixels() {
    }

    /**
     * Returns how an image differs from 8-bit RGB without alpha, such as {@code "16-bit grayscale"}
     * or {@code "8-bit RGB with alpha"}, or null when it does not differ.
     */
    static String describeConversion(BufferedImage image) {
        ColorModel model = image.getColorModel();
        if (model instanceof IndexColorModel) {
            return model.hasAlpha() ? "palette with alpha" : "palette";
        }
        int colorSpaceType = model.getColorSpace().getType();
        boolean gray = colorSpaceType == ColorSpace.TYPE_GRAY;
        boolean rgb = colorSpaceType == ColorSpace.TYPE_RGB;
        int bits = model.getComponentSize(0);
        boolean eightBit = true;
        for (int size : model.getComponentSize()) {
            eightBit &= size == 8;
        }
        if (rgb && eightBit && !model.hasAlpha()) {
            return null;
        }

        String depth = eightBit ? "8-bit" : bits + "-bit";
        String colors;
        if (gray) {
            colors = "grayscale";
        } else if (rgb) {
            colors = "RGB";
        } else {
            colors = "color space type " + colorSpaceType;
        }
        String alpha = model.hasAlpha() ? " with alpha" : "";
        return depth + " " + colors + alpha;
    }

    /**
     * Returns the pixels as planar CHW bytes (all red, then green, then blue values).
     *
     * <p>Grayscale becomes R = G = B, alpha is dropped without blending (so a transparent pixel keeps
     * its stored color), and samples deeper than 8 bits are scaled to 0-255 with rounding.
     * Gray and RGB samples are taken from the raster as stored, with no color-space conversion, because
     * Java treats gray images as linear and would brighten them through {@code getRGB}. Other formats,
     * such as palette images, go through {@code getRGB}.
     */
    static byte[] toPlanar(BufferedImage image) {
        ColorModel model = image.getColorModel();
        int colorSpaceType = model.getColorSpace().getType();
        boolean rawSamples = model instanceof ComponentColorModel
                && (colorSpaceType == ColorSpace.TYPE_GRAY || colorSpaceType == ColorSpace.TYPE_RGB);
        return rawSamples ? fromSamples(image, model) : fromArgb(image);
    }

    private static byte[] fromSamples(BufferedImage image, ColorModel model) {
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        byte[] planar = new byte[3 * plane];
        Raster raster = image.getRaster();
        boolean gray = model.getNumColorComponents() == 1;
        int[] row = new int[width];

        for (int channel = 0; channel < 3; channel++) {
            int band = gray ? 0 : channel;
            int bits = model.getComponentSize(band);
            double scale = 255.0 / ((1L << bits) - 1);
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, band, row);
                int base = channel * plane + y * width;
                for (int x = 0; x < width; x++) {
                    int value = bits == 8 ? row[x] : (int) Math.round(row[x] * scale);
                    planar[base + x] = (byte) value;
                }
            }
        }
        return planar;
    }

    private static byte[] fromArgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        int plane = width * height;
        byte[] planar = new byte[3 * plane];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                planar[i] = (byte) (row[x] >> 16);
                planar[plane + i] = (byte) (row[x] >> 8);
                planar[2 * plane + i] = (byte) row[x];
            }
        }
        return planar;
    }

    /** Returns a TYPE_INT_RGB image of planar CHW bytes. */
    static BufferedImage toImage(byte[] planar, int offset, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = width * height;
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = offset + y * width + x;
                int red = planar[i] & 0xFF;
                int green = planar[plane + i] & 0xFF;
                int blue = planar[2 * plane + i] & 0xFF;
                row[x] = (red << 16) | (green << 8) | blue;
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }
}
