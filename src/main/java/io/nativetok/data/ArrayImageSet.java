package io.nativetok.data;

import java.util.List;
import java.util.Objects;

/**
 * {@link ImageSet} held in memory, one planar CHW byte array per image.
 *
 * <p>The arrays are stored as given, not copied, so callers must not change them afterwards.
 */
public final class ArrayImageSet implements ImageSet {

    private final int height;
    private final int width;
    private final byte[][] images;
    private final int[] labels;
    private final List<String> classNames;

    /**
     * Creates a set from planar CHW pixel arrays of {@code 3 * height * width} bytes each.
     *
     * @param labels one label per image in {@code [0, classNames.size())}, or null for a set
     *     without labels (then {@code classNames} must be empty)
     * @throws IllegalArgumentException when an array length, a label or a size is invalid
     */
    public ArrayImageSet(int height, int width, byte[][] images, int[] labels, List<String> classNames) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "Invalid image size " + height + "x" + width + ": expected a height and width of at least 1.");
        }
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(classNames, "classNames");
        long imageBytes = 3L * height * width;
        for (int i = 0; i < images.length; i++) {
            if (images[i] == null || images[i].length != imageBytes) {
                throw new IllegalArgumentException("Invalid pixel array for image " + i + ": expected " + imageBytes
                        + " bytes (3 x " + height + " x " + width + "), got "
                        + (images[i] == null ? "null" : images[i].length + " bytes") + ".");
            }
        }
        if (labels != null) {
            checkLabels(labels, images.length, classNames.size());
        } else if (!classNames.isEmpty()) {
            throw new IllegalArgumentException("Invalid class names " + classNames
                    + " for a set without labels: pass labels, or an empty list of class names.");
        }
        this.height = height;
        this.width = width;
        this.images = images;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
    }

    private static void checkLabels(int[] labels, int imageCount, int classCount) {
        if (labels.length != imageCount) {
            throw new IllegalArgumentException("Invalid label count " + labels.length + ": expected one label per image ("
                    + imageCount + ").");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classCount) {
                throw new IllegalArgumentException("Invalid label " + labels[i] + " for image " + i + ": expected 0 to "
                        + (classCount - 1) + ", one per class name.");
            }
        }
    }

    @Override
    public int size() {
        return images.length;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public void copyPixels(int index, byte[] destination, int offset) {
        System.arraycopy(images[index], 0, destination, offset, images[index].length);
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, images.length);
        return labels == null ? -1 : labels[index];
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }
}
