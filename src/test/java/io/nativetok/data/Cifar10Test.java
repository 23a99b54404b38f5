package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    private static ImageSet trainSet;

    /** Returns the CIFAR-10 folder; each test is skipped on its own when the data is missing. */
    private static Path data() {
        return TestData.cifar10();
    }

    /** Returns the training set, loaded once for all tests. */
    private static synchronized ImageSet train() {
        if (trainSet == null) {
            trainSet = Cifar10.load(data(), Cifar10.Split.TRAIN);
        }
        return trainSet;
    }

    @Test
    void trainHasOfficialSizeAndOrder() {
        ImageSet train = train();
        assertEquals(50_000, train.size());
        assertEquals(32, train.height());
        assertEquals(32, train.width());

        int[] firstLabels = new int[10];
        for (int i = 0; i < 10; i++) {
            firstLabels[i] = train.label(i);
        }
        assertArrayEquals(new int[] {6, 9, 9, 4, 1, 1, 2, 7, 8, 3}, firstLabels);
        assertEquals(Cifar10.CLASS_NAMES, train.classNames());
    }

    @Test
    void trainHasFiveThousandPerClass() {
        ImageSet train = train();
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 5000);
        assertArrayEquals(expected, counts);
    }

    @Test
    void trainChannelMeanMatchesPublished() {
        ImageSet train = train();
        long[] sums = new long[3];
        byte[] pixels = new byte[Cifar10.IMAGE_BYTES];
        int plane = 32 * 32;
        for (int i = 0; i < train.size(); i++) {
            train.copyPixels(i, pixels, 0);
            for (int channel = 0; channel < 3; channel++) {
                long sum = 0;
                for (int k = channel * plane; k < (channel + 1) * plane; k++) {
                    sum += pixels[k] & 0xFF;
                }
                sums[channel] += sum;
            }
        }
        double count = 50_000.0 * plane * 255.0;
        assertEquals(0.49139968, sums[0] / count, 1e-6, "red mean");
        assertEquals(0.48215841, sums[1] / count, 1e-6, "green mean");
        assertEquals(0.44653091, sums[2] / count, 1e-6, "blue mean");
    }

    @Test
    void pixelsAreRecordBytesInOrder() throws IOException {
        ImageSet train = train();
        byte[] record = new byte[Cifar10.RECORD_BYTES * 2];
        try (InputStream in = Files.newInputStream(data().resolve("data_batch_2.bin"))) {
            assertEquals(record.length, in.readNBytes(record, 0, record.length));
        }
        byte[] pixels = new byte[Cifar10.IMAGE_BYTES];
        train.copyPixels(10_001, pixels, 0);

        assertArrayEquals(Arrays.copyOfRange(record, Cifar10.RECORD_BYTES + 1, 2 * Cifar10.RECORD_BYTES), pixels);
        assertEquals(record[Cifar10.RECORD_BYTES], train.label(10_001));
    }

    @Test
    void testExactIsFirstThousandTestRecords() {
        ImageSet test = Cifar10.load(data(), Cifar10.Split.TEST);
        ImageSet exact = Cifar10.load(data(), Cifar10.Split.TEST_EXACT);

        assertEquals(10_000, test.size());
        assertEquals(1_000, exact.size());
        int[] firstLabels = new int[10];
        for (int i = 0; i < 10; i++) {
            firstLabels[i] = exact.label(i);
        }
        assertArrayEquals(new int[] {3, 8, 8, 0, 6, 6, 1, 6, 3, 1}, firstLabels);

        byte[] fromTest = new byte[Cifar10.IMAGE_BYTES];
        byte[] fromExact = new byte[Cifar10.IMAGE_BYTES];
        test.copyPixels(999, fromTest, 0);
        exact.copyPixels(999, fromExact, 0);
        assertArrayEquals(fromTest, fromExact);
        assertEquals(test.label(999), exact.label(999));
    }

    @Test
    void truncatedFileIsRejectedWithSize(@TempDir Path folder) throws IOException {
        byte[] bytes = Files.readAllBytes(data().resolve(Cifar10.TEST_FILE));
        Files.write(folder.resolve(Cifar10.TEST_FILE), Arrays.copyOf(bytes, bytes.length - 5));

        DataException error = assertThrows(DataException.class, () -> Cifar10.load(folder, Cifar10.Split.TEST));

        String message = error.getMessage();
        assertTrue(message.contains(folder.resolve(Cifar10.TEST_FILE).toString()), message);
        assertTrue(message.contains("30729995 bytes"), message);
        assertTrue(message.contains("remainder 3068"), message);
        assertTrue(message.contains("truncated"), message);
    }

    @Test
    void labelAboveNineIsRejectedWithRecord(@TempDir Path folder) throws IOException {
        byte[] records = new byte[3 * Cifar10.RECORD_BYTES];
        records[0] = 3;
        records[Cifar10.RECORD_BYTES] = 7;
        records[2 * Cifar10.RECORD_BYTES] = 10;
        Files.write(folder.resolve(Cifar10.TEST_FILE), records);

        DataException error = assertThrows(DataException.class, () -> Cifar10.load(folder, Cifar10.Split.TEST));

        String message = error.getMessage();
        assertTrue(message.contains("Invalid label 10"), message);
        assertTrue(message.contains("record 2"), message);
        assertTrue(message.contains(folder.resolve(Cifar10.TEST_FILE).toString()), message);
    }

    @Test
    void missingFolderIsNamed(@TempDir Path parent) {
        Path folder = parent.resolve("absent");

        DataException error = assertThrows(DataException.class, () -> Cifar10.load(folder, Cifar10.Split.TEST));

        assertTrue(error.getMessage().contains("folder not found: " + folder), error.getMessage());
        assertTrue(error.getMessage().contains("nativetok data download cifar10"), error.getMessage());
    }

    @Test
    void missingFilesAreListed(@TempDir Path folder) throws IOException {
        Files.write(folder.resolve("data_batch_1.bin"), new byte[Cifar10.RECORD_BYTES]);
        Files.write(folder.resolve("data_batch_3.bin"), new byte[Cifar10.RECORD_BYTES]);

        DataException error = assertThrows(DataException.class, () -> Cifar10.load(folder, Cifar10.Split.TRAIN));

        String message = error.getMessage();
        assertTrue(message.contains("data_batch_2.bin, data_batch_4.bin, data_batch_5.bin"), message);
        assertTrue(message.contains("expects data_batch_1.bin"), message);
        assertEquals(List.of("data_batch_2.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"),
                Cifar10.missingFiles(folder));
    }

    @Test
    void classNamesComeFromMetaFile(@TempDir Path folder) throws IOException {
        Files.write(folder.resolve(Cifar10.TEST_FILE), new byte[Cifar10.RECORD_BYTES]);
        Files.writeString(folder.resolve(Cifar10.META_FILE), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");

        ImageSet set = Cifar10.load(folder, Cifar10.Split.TEST);

        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), set.classNames());
        assertEquals(1, set.size());
        assertEquals(0, set.label(0));
    }

    @Test
    void shortTestFileFailsForTestExact(@TempDir Path folder) throws IOException {
        Files.write(folder.resolve(Cifar10.TEST_FILE), new byte[5 * Cifar10.RECORD_BYTES]);

        DataException error = assertThrows(DataException.class, () -> Cifar10.load(folder, Cifar10.Split.TEST_EXACT));

        assertTrue(error.getMessage().contains("has 5 records"), error.getMessage());
    }
}
