package io.nativetok.data;

import java.util.List;

/**
 * A fixed, indexable set of RGB images of one size, each with an integer class label.
 *
 * <p>Pixels are unsigned bytes in planar CHW order (all red values, then green, then blue; each
 * plane row-major with y = 0 at the top), which is both the CIFAR-10 record layout and the
 * {@code (3, H, W)} layout of the model's input arrays.
 */
public interface ImageSet {

    /** Returns the number of images. */
    int size();

    /** Returns the image height in pixels. */
    int height();

    /** Returns the image width in pixels. */
    int width();

    /**
     * Copies the {@code 3 * height() * width()} pixel bytes of image {@code index} into {@code
     * destination} starting at {@code offset}.
     */
    void copyPixels(int index, byte[] destination, int offset);

    /** Returns the class label of image {@code index}, or -1 when the set has no labels. */
    int label(int index);

    /** Returns the class names, indexed by label; empty when the set has no labels. */
    List<String> classNames();
}
