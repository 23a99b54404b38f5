package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageSetsTest {

    private static final int HEIGHT = 4;
    private static final int WIDTH = 5;
    private static final int IMAGE_BYTES = 3 * HEIGHT * WIDTH;

    /** Returns a set of {@code count} images with random pixels, labels {@code i % 3} and three classes. */
    private static ArrayImageSet randomSet(int count) {
        SplittableRandom random = new SplittableRandom(11);
        byte[][] images = new byte[count][IMAGE_BYTES];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < IMAGE_BYTES; k++) {
                images[i][k] = (byte) random.nextInt(256);
            }
            labels[i] = i % 3;
        }
        images[0][0] = 0;
        images[0][1] = (byte) 255;
        return new ArrayImageSet(HEIGHT, WIDTH, images, labels, List.of("a", "b", "c"));
    }

    private static byte[] pixels(ImageSet set, int index) {
        byte[] pixels = new byte[3 * set.height() * set.width()];
        set.copyPixels(index, pixels, 0);
        return pixels;
    }

    @Test
    void toArrayScalesPixelsInBatchOrder() {
        ArrayImageSet set = randomSet(6);
        int[] indices = {4, 0, 4};

        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray batch = ImageSets.toArray(manager, set, indices);

            assertEquals(new Shape(3, 3, HEIGHT, WIDTH), batch.getShape());
            assertEquals(DataType.FLOAT32, batch.getDataType());
            float[] values = batch.toFloatArray();
            for (int b = 0; b < indices.length; b++) {
                byte[] expected = pixels(set, indices[b]);
                for (int k = 0; k < IMAGE_BYTES; k++) {
                    assertEquals((expected[k] & 0xFF) / 255f, values[b * IMAGE_BYTES + k], 0f, "batch " + b + " value " + k);
                }
            }
            assertEquals(0f, values[IMAGE_BYTES], "pixel byte 0 maps to 0");
            assertEquals(1f, values[IMAGE_BYTES + 1], "pixel byte 255 maps to 1");
        }
    }

    @Test
    void toArrayRejectsIndexOutsideSet() {
        ArrayImageSet set = randomSet(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> ImageSets.toArray(manager, set, new int[] {0, 3}));
            assertTrue(error.getMessage().contains("Invalid image index 3"), error.getMessage());
        }
    }

    @Test
    void fromArrayRoundTripsBytes() {
        ArrayImageSet set = randomSet(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray batch = ImageSets.toArray(manager, set, new int[] {0, 1, 2, 3, 4});
            ImageSet restored = ImageSets.fromArray(batch);

            assertEquals(5, restored.size());
            assertEquals(-1, restored.label(0));
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(pixels(set, i), pixels(restored, i), "image " + i);
            }
        }
    }

    @Test
    void fromArrayClampsOutOfRangeValues() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray values = manager.create(new float[] {-0.5f, 1.5f, 0.5f}).reshape(1, 3, 1, 1);
            ImageSet image = ImageSets.fromArray(values);
            assertArrayEquals(new byte[] {0, (byte) 255, (byte) 128}, pixels(image, 0));

            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> ImageSets.fromArray(manager.zeros(new Shape(2, 1, 4, 4))));
            assertTrue(error.getMessage().contains("(2, 1, 4, 4)"), error.getMessage());
        }
    }

    @Test
    void subsetIsViewWithLabels() {
        ArrayImageSet set = randomSet(10);
        ImageSet subset = ImageSets.subset(set, 3, 7);

        assertEquals(4, subset.size());
        assertEquals(set.label(3), subset.label(0));
        assertEquals(set.label(6), subset.label(3));
        assertArrayEquals(pixels(set, 5), pixels(subset, 2));
        assertEquals(set.classNames(), subset.classNames());
        assertThrows(IndexOutOfBoundsException.class, () -> subset.label(4));
        assertThrows(IllegalArgumentException.class, () -> ImageSets.subset(set, 7, 11));
        assertThrows(IllegalArgumentException.class, () -> ImageSets.subset(set, 5, 4));
        assertEquals(0, ImageSets.subset(set, 10, 10).size());
    }

    @Test
    void bufferedImageRoundTripsPixels() {
        ArrayImageSet set = randomSet(2);
        BufferedImage image = ImageSets.toBufferedImage(set, 1);

        assertEquals(WIDTH, image.getWidth());
        assertEquals(HEIGHT, image.getHeight());
        byte[] expected = pixels(set, 1);
        int plane = HEIGHT * WIDTH;
        int rgb = image.getRGB(2, 3);
        assertEquals(expected[3 * WIDTH + 2] & 0xFF, (rgb >> 16) & 0xFF, "red");
        assertEquals(expected[plane + 3 * WIDTH + 2] & 0xFF, (rgb >> 8) & 0xFF, "green");
        assertEquals(expected[2 * plane + 3 * WIDTH + 2] & 0xFF, rgb & 0xFF, "blue");

        ImageSet back = ImageSets.fromImages(List.of(image), new int[] {2}, List.of("a", "b", "c"));
        assertArrayEquals(expected, pixels(back, 0));
        assertEquals(2, back.label(0));
    }

    @Test
    void fromImagesRejectsMixedSizes() {
        List<BufferedImage> images = List.of(
                new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), new BufferedImage(4, 5, BufferedImage.TYPE_INT_RGB));

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ImageSets.fromImages(images));

        assertTrue(error.getMessage().contains("Image 1 is 4x5"), error.getMessage());
    }

    @Test
    void fromImagesConvertsGrayWithoutGamma() {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        gray.getRaster().setSample(1, 0, 0, 200);

        ImageSet set = ImageSets.fromImages(List.of(gray));

        assertArrayEquals(new byte[] {100, (byte) 200, 100, (byte) 200, 100, (byte) 200}, pixels(set, 0));
    }
}
