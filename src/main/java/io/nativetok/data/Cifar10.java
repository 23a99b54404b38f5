package io.nativetok.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reader for CIFAR-10 in the standard binary layout ("CIFAR-10 binary version").
 *
 * <p>Each {@code .bin} file is a sequence of 3,073-byte records with no header: one label byte
 * (0-9), then the 1,024 red, 1,024 green and 1,024 blue bytes of a 32x32 image, each plane
 * row-major with y = 0 at the top. That is the planar CHW layout of {@link ImageSet}, so records
 * are copied without conversion. The whole split is held in memory (about 154 MB for TRAIN).
 */
public final class Cifar10 {

    /** Image height and width in pixels. */
    public static final int SIDE = 32;

    /** Pixel bytes per image: 3 planes of 32 x 32. */
    public static final int IMAGE_BYTES = 3 * SIDE * SIDE;

    /** Bytes per record: the label byte and the pixel bytes. */
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    /** Number of leading test records that are recommended for pixel-exact metrics. */
    public static final int EXACT_TEST_RECORDS = 1000;

    /** Training files, in the order their records are concatenated. */
    public static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");

    /** Test file. */
    public static final String TEST_FILE = "test_batch.bin";

    /** All six record files; a folder contains CIFAR-10 when all of them are present. */
    public static final List<String> DATA_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
            TEST_FILE);

    /** Optional file with one class name per line, in label order. */
    public static final String META_FILE = "batches.meta.txt";

    /** The ten class names in label order, used when {@link #META_FILE} is missing. */
    public static final List<String> CLASS_NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private static final Logger LOG = LoggerFactory.getLogger(Cifar10.class);

    /** Subset of the official split to load. */
    public enum Split {
        /** The 50,000 training images: data_batch_1 to data_batch_5, in that order. */
        TRAIN,
        /** The 10,000 test images in test_batch. */
        TEST,
        /**
         * Test records 0-999, the recommended set for pixel-exact metrics such as PSNR and SSIM. In
         * the official archive all test records are exact. In the rebuilt copy described in
         * datasets/cifar10/README.md, records 1000-9999 were decoded from quality-75 JPEG files and
         * only records 0-999 are bit-exact.
         */
        TEST_EXACT;

        /** Returns the files this split reads, in order. */
        public List<String> files() {
            return this == TRAIN ? TRAIN_FILES : List.of(TEST_FILE);
        }
    }

    private Cifar10() {
    }

    /**
     * Reads a split from a folder that contains the CIFAR-10 binary files.
     *
     * @throws DataException when the folder or a file is missing, a file size is not a multiple of
     *     3,073 bytes, a label is above 9 or a file cannot be read
     */
    public static ImageSet load(Path dir, Split split) {
        checkFolder(dir, split);

        List<byte[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String name : split.files()) {
            int limit = split == Split.TEST_EXACT ? EXACT_TEST_RECORDS : Integer.MAX_VALUE;
            readRecords(dir.resolve(name), limit, images, labels);
        }
        if (split == Split.TEST_EXACT && images.size() < EXACT_TEST_RECORDS) {
            throw new DataException("CIFAR-10 file " + dir.resolve(TEST_FILE) + " has " + images.size()
                    + " records, but split TEST_EXACT expects at least " + EXACT_TEST_RECORDS
                    + ". Download the data again with `nativetok data download cifar10`.");
        }

        int[] labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
        List<String> classNames = readClassNames(dir);
        LOG.debug("Loaded CIFAR-10 {}: {} images from {}", split, images.size(), dir);
        return new ArrayImageSet(SIDE, SIDE, images.toArray(new byte[0][]), labelArray, classNames);
    }

    /** Returns the names of the six record files that are missing in {@code dir}, empty when none is. */
    public static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : DATA_FILES) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static void checkFolder(Path dir, Split split) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("CIFAR-10 folder not found: " + dir + ". Expected a folder with "
                    + String.join(", ", DATA_FILES) + ". " + howToGetData(dir));
        }
        List<String> missing = new ArrayList<>();
        for (String name : split.files()) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new DataException("CIFAR-10 files missing in " + dir + ": " + String.join(", ", missing)
                    + ". Split " + split + " expects " + String.join(", ", split.files()) + ". "
                    + howToGetData(dir));
        }
    }

    private static String howToGetData(Path dir) {
        return "Download the data with `nativetok data download cifar10 --out " + dir + "`.";
    }

    /** Appends up to {@code limit} records of {@code file} to {@code images} and {@code labels}. */
    private static void readRecords(Path file, int limit, List<byte[]> images, List<Integer> labels) {
        long size = sizeOf(file);
        long remainder = size % RECORD_BYTES;
        if (remainder != 0) {
            throw new DataException("CIFAR-10 file " + file + " has " + size + " bytes, which is not a multiple of "
                    + RECORD_BYTES + " (remainder " + remainder + "), so the file is truncated or not in the"
                    + " CIFAR-10 binary layout. Download the data again with `nativetok data download cifar10`.");
        }
        if (size == 0) {
            throw new DataException("CIFAR-10 file " + file + " is empty (0 bytes), expected records of "
                    + RECORD_BYTES + " bytes. Download the data again with `nativetok data download cifar10`.");
        }

        long records = Math.min(size / RECORD_BYTES, limit);
        byte[] record = new byte[RECORD_BYTES];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int r = 0; r < records; r++) {
                int read = in.readNBytes(record, 0, RECORD_BYTES);
                if (read != RECORD_BYTES) {
                    throw new DataException("CIFAR-10 file " + file + " ended inside record " + r + " although its size"
                            + " was " + size + " bytes; the file changed while it was read. Read it again.");
                }
                int label = record[0] & 0xFF;
                if (label >= CLASS_NAMES.size()) {
                    throw new DataException("Invalid label " + label + " in CIFAR-10 file " + file + ", record " + r
                            + " (byte offset " + (long) r * RECORD_BYTES + "): expected 0 to 9. The file is damaged or"
                            + " not CIFAR-10 (CIFAR-100 uses two label bytes); download the data again.");
                }
                labels.add(label);
                byte[] pixels = new byte[IMAGE_BYTES];
                System.arraycopy(record, 1, pixels, 0, IMAGE_BYTES);
                images.add(pixels);
            }
        } catch (IOException e) {
            throw new DataException("Failed to read CIFAR-10 file " + file + ": " + e.getMessage()
                    + ". Check that the file is readable.", e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new DataException("Failed to read the size of CIFAR-10 file " + file + ": " + e.getMessage()
                    + ". Check that the file is readable.", e);
        }
    }

    /** Reads the class names from {@link #META_FILE}, or returns the standard names. */
    private static List<String> readClassNames(Path dir) {
        Path meta = dir.resolve(META_FILE);
        if (!Files.isRegularFile(meta)) {
            return CLASS_NAMES;
        }
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
        } catch (IOException e) {
            LOG.warn("Failed to read {} ({}); using the standard CIFAR-10 class names", meta, e.toString());
            return CLASS_NAMES;
        }
        if (names.size() != CLASS_NAMES.size()) {
            LOG.warn("{} has {} class names, expected 10; using the standard CIFAR-10 class names", meta, names.size());
            return CLASS_NAMES;
        }
        return List.copyOf(names);
    }
}
