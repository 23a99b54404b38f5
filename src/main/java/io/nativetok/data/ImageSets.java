package io.nativetok.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/** Operations on {@link ImageSet}s: views, conversion to model input arrays and to images. */
public final class ImageSets {

    /** Maps an unsigned byte to its value divided by 255. */
    private static final float[] UNIT_SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT_SCALE[i] = i / 255f;
        }
    }

    private ImageSets() {
    }

    /**
     * Returns a view of images {@code from} (inclusive) to {@code to} (exclusive) of {@code set},
     * with the same labels and class names. Nothing is copied.
     *
     * @throws IllegalArgumentException when the range is not within {@code [0, set.size()]}
     */
    public static ImageSet subset(ImageSet set, int from, int to) {
        Objects.requireNonNull(set, "set");
        if (from < 0 || to > set.size() || from > to) {
            throw new IllegalArgumentException("Invalid subset range [" + from + ", " + to + "): expected 0 <= from <= to <= "
                    + set.size() + ", the size of the set.");
        }
        return new SubsetView(set, from, to - from);
    }

    /**
     * Creates a float32 array of shape (B, 3, H, W) with values in [0, 1] from the images at
     * {@code indices}, in that order. The array belongs to {@code manager}, so create it in a
     * per-step sub-manager to free it with the step.
     *
     * @throws IllegalArgumentException when an index is outside the set or the batch exceeds 2^31 - 1 values
     */
    public static NDArray toArray(NDManager manager, ImageSet set, int[] indices) {
        int imageBytes = 3 * set.height() * set.width();
        long values = (long) indices.length * imageBytes;
        if (values > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Batch of " + indices.length + " images of " + set.height() + "x"
                    + set.width() + " has " + values + " values, more than one Java array can hold (2^31 - 1);"
                    + " use a smaller batch.");
        }

        float[] data = new float[(int) values];
        byte[] pixels = new byte[imageBytes];
        for (int i = 0; i < indices.length; i++) {
            checkIndex(set, indices[i]);
            set.copyPixels(indices[i], pixels, 0);
            int base = i * imageBytes;
            for (int k = 0; k < imageBytes; k++) {
                data[base + k] = UNIT_SCALE[pixels[k] & 0xFF];
            }
        }
        return manager.create(data, new Shape(indices.length, 3, set.height(), set.width()));
    }

    /** Returns image {@code index} as a TYPE_INT_RGB image. */
    public static BufferedImage toBufferedImage(ImageSet set, int index) {
        checkIndex(set, index);
        byte[] pixels = new byte[3 * set.height() * set.width()];
        set.copyPixels(index, pixels, 0);
        return RgbPixels.toImage(pixels, 0, set.height(), set.width());
    }

    /**
     * Creates a set without labels from a float array of shape (B, 3, H, W) with values in [0, 1],
     * such as a batch of reconstructions. Values are clamped to [0, 1], scaled by 255 and rounded.
     *
     * @throws IllegalArgumentException when the shape is not (B, 3, H, W)
     */
    public static ImageSet fromArray(NDArray images) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException("Invalid image array shape " + shape
                    + ": expected (B, 3, H, W) with values in [0, 1].");
        }
        int count = (int) shape.get(0);
        int height = (int) shape.get(2);
        int width = (int) shape.get(3);
        int imageBytes = 3 * height * width;
        float[] values;
        if (images.getDataType() == DataType.FLOAT32) {
            values = images.toFloatArray();
        } else {
            try (NDArray converted = images.toType(DataType.FLOAT32, true)) {
                values = converted.toFloatArray();
            }
        }

        byte[][] pixels = new byte[count][imageBytes];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < imageBytes; k++) {
                float value = Math.min(1f, Math.max(0f, values[i * imageBytes + k]));
                pixels[i][k] = (byte) Math.round(value * 255f);
            }
        }
        return new ArrayImageSet(height, width, pixels, null, List.of());
    }

    /** Creates a set without labels from images that all have the same size. */
    public static ImageSet fromImages(List<BufferedImage> images) {
        return fromImages(images, null, List.of());
    }

    /**
     * Creates a set from images that all have the same size, converted to 8-bit RGB as
     * {@link ImageFolder} does (grayscale to R = G = B, alpha dropped, 16-bit scaled to 8-bit).
     *
     * @param labels one label per image in {@code [0, classNames.size())}, or null for no labels
     * @throws IllegalArgumentException when the list is empty, sizes differ or a label is invalid
     */
    public static ImageSet fromImages(List<BufferedImage> images, int[] labels, List<String> classNames) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("No images given: expected at least one image.");
        }
        int height = images.get(0).getHeight();
        int width = images.get(0).getWidth();
        byte[][] pixels = new byte[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            if (image.getHeight() != height || image.getWidth() != width) {
                throw new IllegalArgumentException("Image " + i + " is " + image.getWidth() + "x" + image.getHeight()
                        + " (width x height), but image 0 is " + width + "x" + height
                        + ": all images must have the same size. Resize them first, or load them with ImageFolder.");
            }
            pixels[i] = RgbPixels.toPlanar(image);
        }
        return new ArrayImageSet(height, width, pixels, labels, classNames);
    }

    private static void checkIndex(ImageSet set, int index) {
        if (index < 0 || index >= set.size()) {
            throw new IllegalArgumentException("Invalid image index " + index + ": expected 0 to " + (set.size() - 1)
                    + " for a set of " + set.size() + " images.");
        }
    }

    /** Contiguous range of another set. */
    private static final class SubsetView implements ImageSet {
        private final ImageSet parent;
        private final int start;
        private final int size;

        SubsetView(ImageSet parent, int start, int size) {
            this.parent = parent;
            this.start = start;
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int height() {
            return parent.height();
        }

        @Override
        public int width() {
            return parent.width();
        }

        @Override
        public void copyPixels(int index, byte[] destination, int offset) {
            parent.copyPixels(start + Objects.checkIndex(index, size), destination, offset);
        }

        @Override
        public int label(int index) {
            return parent.label(start + Objects.checkIndex(index, size));
        }

        @Override
        public List<String> classNames() {
            return parent.classNames();
        }
    }
}
