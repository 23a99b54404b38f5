package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    private static final int SIDE = 8;

    // ---- image files written for the tests ----

    private static void write(BufferedImage image, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(image, format, file.toFile()), "ImageIO has a " + format + " writer for " + file);
    }

    /** Returns an 8-bit RGB image filled with one color. */
    private static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** Returns an RGB image of random pixels, which compresses badly, so truncating its file cuts pixel data. */
    private static BufferedImage noise(int side) {
        SplittableRandom random = new SplittableRandom(3);
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    private static BufferedImage gray(int value) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        fill(image.getRaster(), new int[] {value});
        return image;
    }

    private static BufferedImage gray16(int value) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_USHORT_GRAY);
        fill(image.getRaster(), new int[] {value});
        return image;
    }

    private static BufferedImage rgb16(int red, int green, int blue) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(SIDE, SIDE);
        fill(raster, new int[] {red, green, blue});
        return new BufferedImage(model, raster, false, null);
    }

    private static BufferedImage argb(int argb) {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                image.setRGB(x, y, argb);
            }
        }
        return image;
    }

    private static BufferedImage palette() {
        byte[] reds = {(byte) 200, 10};
        byte[] greens = {20, (byte) 210};
        byte[] blues = {30, 40};
        IndexColorModel model = new IndexColorModel(8, 2, reds, greens, blues);
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_INDEXED, model);
        fill(image.getRaster(), new int[] {1});
        return image;
    }

    private static void fill(WritableRaster raster, int[] samples) {
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                raster.setPixel(x, y, samples);
            }
        }
    }

    /** Writes a valid PNG signature and IHDR chunk that declare {@code width x height}, with no pixel data. */
    private static void writePngHeader(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});

        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream fields = new DataOutputStream(header);
        fields.writeInt(width);
        fields.writeInt(height);
        fields.writeByte(8); // bit depth
        fields.writeByte(2); // color type: RGB
        fields.writeByte(0); // compression
        fields.writeByte(0); // filter
        fields.writeByte(0); // interlace
        writeChunk(out, "IHDR", header.toByteArray());
        writeChunk(out, "IEND", new byte[0]);
        Files.write(file, bytes.toByteArray());
    }

    private static void writeChunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt(data.length);
        out.write(typeBytes);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }

    private static void truncate(Path file, int keepBytes) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertTrue(bytes.length > keepBytes, file + " is longer than " + keepBytes + " bytes");
        Files.write(file, Arrays.copyOf(bytes, keepBytes));
    }

    /** Writes the files that cannot be used, and returns each file name with a part of its skip reason. */
    private static Map<String, String> writeInvalidFiles(Path folder) throws IOException {
        Map<String, String> reasons = new TreeMap<>();

        Files.writeString(folder.resolve("notes.png"), "These are notes, not an image.\n");
        reasons.put("notes.png", "not a PNG or JPEG image");
        Files.writeString(folder.resolve(".png"), "text in a file named only by its extension\n");
        reasons.put(".png", "not a PNG or JPEG image");
        Files.write(folder.resolve("empty.jpg"), new byte[0]);
        reasons.put("empty.jpg", "empty (0 bytes)");

        write(noise(64), "png", folder.resolve("truncated.png"));
        truncate(folder.resolve("truncated.png"), 2000);
        reasons.put("truncated.png", "truncated or damaged");
        write(noise(64), "jpeg", folder.resolve("truncated.jpg"));
        truncate(folder.resolve("truncated.jpg"), 2000);
        reasons.put("truncated.jpg", "truncated or damaged");

        writePngHeader(folder.resolve("bomb.png"), 20_000, 20_000);
        reasons.put("bomb.png", "20000x20000 = 400000000 pixels, above the limit of 67108864 pixels");
        return reasons;
    }

    private static byte[] pixels(ImageSet set, int index) {
        byte[] pixels = new byte[3 * set.height() * set.width()];
        set.copyPixels(index, pixels, 0);
        return pixels;
    }

    /** Returns planar bytes of an image whose every pixel is (red, green, blue). */
    private static byte[] uniform(int red, int green, int blue, int height, int width) {
        int plane = height * width;
        byte[] planar = new byte[3 * plane];
        Arrays.fill(planar, 0, plane, (byte) red);
        Arrays.fill(planar, plane, 2 * plane, (byte) green);
        Arrays.fill(planar, 2 * plane, 3 * plane, (byte) blue);
        return planar;
    }

    private static Map<String, byte[]> pixelsByFileName(ImageFolder.Report report) {
        Map<String, byte[]> byName = new TreeMap<>();
        for (int i = 0; i < report.files().size(); i++) {
            byName.put(report.files().get(i).getFileName().toString(), pixels(report.images(), i));
        }
        return byName;
    }

    // ---- tests ----

    @Test
    void lenientModeSkipsInvalidAndConvertsFormats(@TempDir Path folder) throws IOException {
        write(solid(SIDE, SIDE, 0x102030), "png", folder.resolve("rgb.png"));
        write(gray(100), "png", folder.resolve("gray.png"));
        write(gray16(0x8080), "png", folder.resolve("gray16.png"));
        write(rgb16(0xFFFF, 0x0101, 0x0000), "png", folder.resolve("rgb16.png"));
        write(argb(0x00405060), "png", folder.resolve("alpha.png"));
        write(palette(), "png", folder.resolve("palette.png"));
        write(solid(1, 1, 0xFF8000), "png", folder.resolve("tiny.png"));
        write(solid(SIDE, SIDE, 0x808080), "jpeg", folder.resolve("photo.jpg"));
        Map<String, String> reasons = writeInvalidFiles(folder);
        Files.writeString(folder.resolve("README.txt"), "ignored: not an image extension\n");

        ImageFolder.Report report = ImageFolder.builder().size(SIDE).build().loadWithReport(folder);

        Map<String, String> skipped = report.skipped().stream()
                .collect(Collectors.toMap(s -> s.file().getFileName().toString(), ImageFolder.Skipped::reason,
                        (a, b) -> a, TreeMap::new));
        assertEquals(reasons.keySet(), skipped.keySet());
        for (Map.Entry<String, String> entry : reasons.entrySet()) {
            String reason = skipped.get(entry.getKey());
            assertTrue(reason.contains(entry.getValue()), entry.getKey() + ": " + reason);
        }

        assertEquals(8, report.images().size());
        assertEquals(8, report.images().height());
        assertEquals(List.of(), report.images().classNames());
        assertEquals(-1, report.images().label(0));
        assertEquals(5, report.converted(), "gray, gray16, rgb16, alpha and palette are converted");
        assertEquals(1, report.resized(), "only the 1x1 image is resized");

        Map<String, byte[]> byName = pixelsByFileName(report);
        assertArrayEquals(uniform(0x10, 0x20, 0x30, SIDE, SIDE), byName.get("rgb.png"), "rgb.png");
        assertArrayEquals(uniform(100, 100, 100, SIDE, SIDE), byName.get("gray.png"), "gray.png");
        assertArrayEquals(uniform(128, 128, 128, SIDE, SIDE), byName.get("gray16.png"), "gray16.png");
        assertArrayEquals(uniform(255, 1, 0, SIDE, SIDE), byName.get("rgb16.png"), "rgb16.png");
        assertArrayEquals(uniform(0x40, 0x50, 0x60, SIDE, SIDE), byName.get("alpha.png"),
                "alpha.png: transparent pixels keep their stored color");
        assertArrayEquals(uniform(10, 210, 40, SIDE, SIDE), byName.get("palette.png"), "palette.png");
        assertArrayEquals(uniform(255, 128, 0, SIDE, SIDE), byName.get("tiny.png"), "tiny.png");
        byte[] photo = byName.get("photo.jpg");
        for (int k = 0; k < photo.length; k++) {
            assertEquals(128, photo[k] & 0xFF, 2, "photo.jpg value " + k);
        }
    }

    @Test
    void strictModeRejectsEachInvalidFile(@TempDir Path root) throws IOException {
        Path invalid = Files.createDirectories(root.resolve("invalid"));
        Map<String, String> reasons = writeInvalidFiles(invalid);

        for (Map.Entry<String, String> entry : reasons.entrySet()) {
            Path folder = Files.createDirectories(root.resolve("case-" + entry.getKey()));
            write(solid(SIDE, SIDE, 0x112233), "png", folder.resolve("good.png"));
            Path file = Files.copy(invalid.resolve(entry.getKey()), folder.resolve(entry.getKey()));
            ImageFolder strict = ImageFolder.builder().size(SIDE).strict(true).build();

            DataException error = assertThrows(DataException.class, () -> strict.load(folder), entry.getKey());

            String message = error.getMessage();
            assertTrue(message.contains("Invalid image file " + file), message);
            assertTrue(message.contains(entry.getValue()), message);
            assertTrue(message.contains("without strict mode"), message);
            assertEquals(1, ImageFolder.builder().size(SIDE).build().load(folder).size(), "lenient load of " + folder);
        }
    }

    @Test
    void strictModeAcceptsConvertibleImages(@TempDir Path folder) throws IOException {
        write(gray(100), "png", folder.resolve("gray.png"));
        write(gray16(0x8080), "png", folder.resolve("gray16.png"));
        write(argb(0x80405060), "png", folder.resolve("alpha.png"));
        write(solid(1, 1, 0xFF8000), "png", folder.resolve("tiny.png"));

        ImageFolder.Report report = assertDoesNotThrow(
                () -> ImageFolder.builder().size(SIDE).strict(true).build().loadWithReport(folder));

        assertEquals(4, report.images().size());
        assertEquals(List.of(), report.skipped());
    }

    @Test
    void rejectPolicySkipsOrFailsOtherSizes(@TempDir Path folder) throws IOException {
        write(solid(SIDE, SIDE, 0x102030), "png", folder.resolve("a.png"));
        write(solid(1, 1, 0xFF8000), "png", folder.resolve("tiny.png"));

        ImageFolder.Report report = ImageFolder.builder().size(SIDE).sizePolicy(ImageFolder.SizePolicy.REJECT).build()
                .loadWithReport(folder);

        assertEquals(1, report.images().size());
        assertEquals(1, report.skipped().size());
        assertTrue(report.skipped().get(0).reason().contains("size 1x1 differs from the target 8x8"),
                report.skipped().get(0).reason());

        ImageFolder strict = ImageFolder.builder().size(SIDE).sizePolicy(ImageFolder.SizePolicy.REJECT).strict(true)
                .build();
        DataException error = assertThrows(DataException.class, () -> strict.load(folder));
        assertTrue(error.getMessage().contains("tiny.png"), error.getMessage());
    }

    @Test
    void resizeKeepsCenterCrop(@TempDir Path folder) throws IOException {
        // 16 wide, 8 high: red columns 0-3, green 4-11, blue 12-15. The short side already matches,
        // so only the crop applies and the centered 8x8 is all green.
        BufferedImage stripes = solid(16, SIDE, 0x00FF00);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < 4; x++) {
                stripes.setRGB(x, y, 0xFF0000);
                stripes.setRGB(15 - x, y, 0x0000FF);
            }
        }
        write(stripes, "png", folder.resolve("wide.png"));
        write(solid(40, 100, 0x336699), "png", folder.resolve("tall.png"));

        ImageFolder.Report report = ImageFolder.builder().size(SIDE).build().loadWithReport(folder);

        Map<String, byte[]> byName = pixelsByFileName(report);
        assertArrayEquals(uniform(0, 255, 0, SIDE, SIDE), byName.get("wide.png"));
        assertArrayEquals(uniform(0x33, 0x66, 0x99, SIDE, SIDE), byName.get("tall.png"));
        assertEquals(2, report.resized());
    }

    @Test
    void resizeAveragesWhenShrinking() {
        // A 2x2 checkerboard of 0 and 200, shrunk by 2, must average to 100 instead of picking one sample.
        int side = 16;
        byte[] checker = new byte[3 * side * side];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    checker[c * side * side + y * side + x] = (byte) (((x + y) % 2 == 0) ? 0 : 200);
                }
            }
        }

        byte[] shrunk = Resampler.resizeAndCrop(checker, side, side, 8, 8);

        // The filter is cut at the image border, so only interior outputs see balanced taps.
        for (int c = 0; c < 3; c++) {
            for (int y = 1; y < 7; y++) {
                for (int x = 1; x < 7; x++) {
                    assertEquals(100, shrunk[c * 64 + y * 8 + x] & 0xFF, 1, "channel " + c + " at " + x + "," + y);
                }
            }
        }
    }

    @Test
    void labelsComeFromSortedFolders(@TempDir Path root) throws IOException {
        write(solid(SIDE, SIDE, 0x0000FF), "png", root.resolve("dog").resolve("b.png"));
        write(solid(SIDE, SIDE, 0x00FF00), "png", root.resolve("dog").resolve("nested").resolve("c.png"));
        write(solid(SIDE, SIDE, 0xFF0000), "jpg", root.resolve("cat").resolve("a.JPG"));
        write(solid(SIDE, SIDE, 0xFFFFFF), "png", root.resolve("stray.png"));

        ImageFolder.Report report = ImageFolder.builder().size(SIDE).labelsFromFolders(true).build()
                .loadWithReport(root);

        assertEquals(List.of("cat", "dog"), report.images().classNames());
        assertEquals(3, report.images().size());
        assertEquals(0, report.images().label(0));
        assertEquals(1, report.images().label(1));
        assertEquals(1, report.images().label(2));
        assertEquals(root.resolve("cat").resolve("a.JPG"), report.files().get(0));
        assertEquals(root.resolve("dog").resolve("b.png"), report.files().get(1));
        assertEquals(1, report.skipped().size());
        assertTrue(report.skipped().get(0).reason().contains("not in a class folder"), report.skipped().get(0).reason());
    }

    @Test
    void missingAndEmptyFoldersAreErrors(@TempDir Path root) throws IOException {
        ImageFolder loader = ImageFolder.builder().size(SIDE).build();
        Path missing = root.resolve("missing");
        Path empty = Files.createDirectories(root.resolve("empty"));
        Path textOnly = Files.createDirectories(root.resolve("text-only"));
        Files.writeString(textOnly.resolve("notes.txt"), "no images here\n");

        DataException missingError = assertThrows(DataException.class, () -> loader.load(missing));
        DataException emptyError = assertThrows(DataException.class, () -> loader.load(empty));
        DataException textError = assertThrows(DataException.class, () -> loader.load(textOnly));

        assertTrue(missingError.getMessage().contains("Image folder not found: " + missing), missingError.getMessage());
        assertTrue(emptyError.getMessage().contains("No PNG or JPEG files found in " + empty), emptyError.getMessage());
        assertTrue(textError.getMessage().contains("1 other files ignored"), textError.getMessage());
    }

    @Test
    void allInvalidFilesIsError(@TempDir Path folder) throws IOException {
        Files.write(folder.resolve("empty.png"), new byte[0]);

        DataException error = assertThrows(DataException.class,
                () -> ImageFolder.builder().size(SIDE).build().load(folder));

        assertTrue(error.getMessage().contains("No image could be loaded from " + folder), error.getMessage());
        assertTrue(error.getMessage().contains("empty.png"), error.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable(@TempDir Path folder) throws IOException {
        write(solid(SIDE, SIDE, 0x102030), "png", folder.resolve("small.png"));
        write(solid(10, 10, 0x102030), "png", folder.resolve("large.png"));

        ImageFolder.Report report = ImageFolder.builder().size(SIDE).maxPixels(64).build().loadWithReport(folder);

        assertEquals(1, report.images().size());
        assertEquals(folder.resolve("large.png"), report.skipped().get(0).file());
        assertTrue(report.skipped().get(0).reason().contains("10x10 = 100 pixels, above the limit of 64"),
                report.skipped().get(0).reason());
    }

    @Test
    void limitTakesFirstSortedFiles(@TempDir Path folder) throws IOException {
        for (String name : List.of("c.png", "a.png", "b.png")) {
            write(solid(SIDE, SIDE, name.charAt(0)), "png", folder.resolve(name));
        }

        ImageFolder.Report report = ImageFolder.builder().size(SIDE).limit(2).build().loadWithReport(folder);

        assertEquals(List.of(folder.resolve("a.png"), folder.resolve("b.png")), report.files());
    }

    @Test
    void imagenetSampleLoadsAt64() {
        Path sample = TestData.imagenetSample();

        ImageFolder.Report report = ImageFolder.builder().size(64).strict(true).build().loadWithReport(sample);

        ImageSet images = report.images();
        assertEquals(1000, images.size());
        assertEquals(64, images.height());
        assertEquals(64, images.width());
        assertEquals(1000, report.resized());
        assertEquals(0, report.converted(), "every file is 8-bit RGB JPEG");
        assertTrue(report.files().get(0).endsWith(Path.of("images", "000_n01440764_tench.jpg")),
                report.files().get(0).toString());
        assertTrue(report.files().get(999).endsWith(Path.of("images", "999_n15075141_toilet_tissue.jpg")),
                report.files().get(999).toString());

        // The mean RGB of the 256x256 files is about (125, 118, 105), and an antialiased resize keeps the mean.
        long[] sums = new long[3];
        int plane = 64 * 64;
        for (int i = 0; i < images.size(); i++) {
            byte[] pixels = pixels(images, i);
            for (int k = 0; k < pixels.length; k++) {
                sums[k / plane] += pixels[k] & 0xFF;
            }
        }
        double count = 1000.0 * plane;
        assertEquals(125, sums[0] / count, 1.5, "red mean");
        assertEquals(118, sums[1] / count, 1.5, "green mean");
        assertEquals(105, sums[2] / count, 1.5, "blue mean");
    }
}
