package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.tokenizer.Preset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresetDataTest {

    private static final int RECORDS_PER_TRAIN_FILE = 3;

    /**
     * Writes a CIFAR-10 folder with {@link #RECORDS_PER_TRAIN_FILE} records per training file and
     * 1,000 test records. Every pixel byte of record r of file f is {@code 10 f + r} modulo 256, so
     * tests can tell which record an image came from.
     */
    private static Path syntheticCifar10(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (int file = 0; file < Cifar10.DATA_FILES.size(); file++) {
            String name = Cifar10.DATA_FILES.get(file);
            int records = name.equals(Cifar10.TEST_FILE) ? Cifar10.EXACT_TEST_RECORDS : RECORDS_PER_TRAIN_FILE;
            byte[] bytes = new byte[records * Cifar10.RECORD_BYTES];
            for (int r = 0; r < records; r++) {
                int offset = r * Cifar10.RECORD_BYTES;
                bytes[offset] = (byte) (r % 10);
                Arrays.fill(bytes, offset + 1, offset + Cifar10.RECORD_BYTES, (byte) (10 * file + r));
            }
            Files.write(folder.resolve(name), bytes);
        }
        return folder;
    }

    private static int firstByte(ImageSet set, int index) {
        byte[] pixels = new byte[Cifar10.IMAGE_BYTES];
        set.copyPixels(index, pixels, 0);
        return pixels[0] & 0xFF;
    }

    @Test
    void tinyLoadsRealData() {
        Path cifar10 = TestData.cifar10();
        PresetData data = PresetData.builder(Preset.TINY)
                .environment(Map.of(DataLocation.ENVIRONMENT_VARIABLE, cifar10.toString())::get)
                .load();

        assertEquals(50_000, data.train().size());
        assertEquals(200, data.evaluation().size());
        assertEquals(cifar10, data.source());
        assertEquals(Cifar10.CLASS_NAMES, data.train().classNames());

        ImageSet exactTest = Cifar10.load(cifar10, Cifar10.Split.TEST_EXACT);
        byte[] expected = new byte[Cifar10.IMAGE_BYTES];
        byte[] actual = new byte[Cifar10.IMAGE_BYTES];
        exactTest.copyPixels(199, expected, 0);
        data.evaluation().copyPixels(199, actual, 0);
        assertArrayEquals(expected, actual, "evaluation image 199 is test record 199");
        assertEquals(exactTest.label(199), data.evaluation().label(199));
    }

    @Test
    void cifar10PresetTakesAllTrainingImages(@TempDir Path root) throws IOException {
        Path folder = syntheticCifar10(root.resolve("datasets").resolve("cifar10"));
        PresetData data = PresetData.builder(Preset.CIFAR10).environment(Map.<String, String>of()::get)
                .workingDirectory(root).load();

        assertEquals(5 * RECORDS_PER_TRAIN_FILE, data.train().size());
        assertEquals(Cifar10.EXACT_TEST_RECORDS, data.evaluation().size());
        assertEquals(folder, data.source());
        assertEquals(10 * 4 + 2, firstByte(data.train(), 14), "last record of data_batch_5");
        assertEquals((10 * 5 + 999) % 256, firstByte(data.evaluation(), 999), "test record 999");
    }

    @Test
    void notebookFolderFallsBackToParent(@TempDir Path root) throws IOException {
        Path folder = syntheticCifar10(root.resolve("datasets").resolve("cifar10"));
        Path notebooks = Files.createDirectories(root.resolve("notebooks"));
        PresetData data = PresetData.builder(Preset.TINY).environment(Map.<String, String>of()::get)
                .workingDirectory(notebooks).load();

        assertEquals(folder, data.source());
        assertEquals(5 * RECORDS_PER_TRAIN_FILE, data.train().size());
        assertEquals(200, data.evaluation().size());
    }

    @Test
    void locateFindsFolderWithoutLoading(@TempDir Path root) throws IOException {
        Path folder = syntheticCifar10(root.resolve("datasets").resolve("cifar10"));
        Path notebooks = Files.createDirectories(root.resolve("notebooks"));

        Path located = PresetData.builder(Preset.CIFAR10).environment(Map.<String, String>of()::get)
                .workingDirectory(notebooks).locateCifar10();

        assertEquals(folder, located);
    }

    @Test
    void relativeVariableResolvesAgainstParent(@TempDir Path root) throws IOException {
        Path folder = syntheticCifar10(root.resolve("data").resolve("c10"));
        Path notebooks = Files.createDirectories(root.resolve("notebooks"));
        PresetData data = PresetData.builder(Preset.TINY)
                .environment(Map.of(DataLocation.ENVIRONMENT_VARIABLE, "data/c10")::get)
                .workingDirectory(notebooks).load();

        assertEquals(folder, data.source());
    }

    @Test
    void otherFolderHasNoFallback(@TempDir Path root) throws IOException {
        syntheticCifar10(root.resolve("datasets").resolve("cifar10"));
        Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
        PresetData.Builder builder = PresetData.builder(Preset.TINY).environment(Map.<String, String>of()::get)
                .workingDirectory(elsewhere);

        DataException error = assertThrows(DataException.class, builder::load);
        assertTrue(error.getMessage().contains(elsewhere.resolve("datasets").resolve("cifar10").toString()),
                error.getMessage());
        assertFalse(error.getMessage().contains(root.resolve("datasets").resolve("cifar10") + ":"), error.getMessage());
    }

    @Test
    void missingDataNamesEveryFolder(@TempDir Path root) throws IOException {
        Path notebooks = Files.createDirectories(root.resolve("notebooks"));
        Path incomplete = Files.createDirectories(root.resolve("datasets").resolve("cifar10"));
        Files.write(incomplete.resolve("data_batch_1.bin"), new byte[Cifar10.RECORD_BYTES]);
        PresetData.Builder builder = PresetData.builder(Preset.TINY)
                .environment(Map.of(DataLocation.ENVIRONMENT_VARIABLE, "/no/such/folder")::get)
                .workingDirectory(notebooks);

        String message = assertThrows(DataException.class, builder::load).getMessage();
        assertTrue(message.contains("NATIVETOK_DATA /no/such/folder: folder not found"), message);
        assertTrue(message.contains(notebooks.resolve("datasets").resolve("cifar10") + ": folder not found"), message);
        assertTrue(message.contains(incomplete + ": missing data_batch_2.bin"), message);
        assertTrue(message.contains("bin/nativetok data download cifar10"), message);
    }

    @Test
    void countsOverrideDefaults(@TempDir Path root) throws IOException {
        syntheticCifar10(root.resolve("datasets").resolve("cifar10"));
        PresetData data = PresetData.builder(Preset.TINY).environment(Map.<String, String>of()::get)
                .workingDirectory(root).trainImages(4).evaluationImages(8).load();
        PresetData more = PresetData.builder(Preset.TINY).environment(Map.<String, String>of()::get)
                .workingDirectory(root).trainImages(100).load();

        assertEquals(4, data.train().size());
        assertEquals(8, data.evaluation().size());
        assertEquals(10 + 0, firstByte(data.train(), 3), "record 0 of data_batch_2");
        assertEquals(5 * RECORDS_PER_TRAIN_FILE, more.train().size(), "a count above the set's size takes all");
        assertTrue(data.summary().startsWith("4 training and 8 evaluation images of 32 x 32 from "), data.summary());
    }

    @Test
    void invalidCountsAreRejected() {
        PresetData.Builder builder = PresetData.builder(Preset.CIFAR10);

        assertThrows(IllegalArgumentException.class, () -> builder.trainImages(-1));
        assertThrows(IllegalArgumentException.class, () -> builder.evaluationImages(0));
        String message = assertThrows(IllegalArgumentException.class, () -> builder.evaluationImages(1001)).getMessage();
        assertTrue(message.contains("1 to 1000"), message);
    }

    @Test
    void imageFolderPresetSplitsFolder(@TempDir Path root) throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        for (int i = 0; i < 5; i++) {
            BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            image.setRGB(0, 0, 0x102030 * (i + 1));
            ImageIO.write(image, "png", images.resolve("image" + i + ".png").toFile());
        }
        Path notebooks = Files.createDirectories(root.resolve("notebooks"));
        PresetData data = PresetData.builder(Preset.IMAGENET256)
                .environment(Map.of(PresetData.IMAGES_VARIABLE, "images")::get)
                .workingDirectory(notebooks).load();

        assertEquals(images, data.source());
        assertEquals(2, data.evaluation().size(), "at most half of 5 images");
        assertEquals(3, data.train().size());
        assertEquals(256, data.train().height());
    }

    @Test
    void singleImageFolderIsRejected(@TempDir Path root) throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        ImageIO.write(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "png", images.resolve("only.png").toFile());
        PresetData.Builder builder = PresetData.builder(Preset.IMAGENET256)
                .environment(Map.of(PresetData.IMAGES_VARIABLE, images.toString())::get)
                .workingDirectory(root);

        String message = assertThrows(DataException.class, builder::load).getMessage();
        assertTrue(message.contains("contains 1 image"), message);
        assertTrue(message.contains("needs at least 2"), message);
    }

    @Test
    void imageFolderPresetNeedsVariable() {
        PresetData.Builder builder = PresetData.builder(Preset.IMAGENET256).environment(Map.<String, String>of()::get);

        String message = assertThrows(IllegalStateException.class, builder::load).getMessage();
        assertTrue(message.startsWith("NATIVETOK_IMAGES is not set"), message);
    }

    @Test
    void missingImageFolderIsReported(@TempDir Path root) {
        PresetData.Builder builder = PresetData.builder(Preset.IMAGENET256)
                .environment(Map.of(PresetData.IMAGES_VARIABLE, "images")::get)
                .workingDirectory(root);

        String message = assertThrows(DataException.class, builder::load).getMessage();
        assertTrue(message.contains(root.resolve("images") + ": folder not found"), message);
    }
}
