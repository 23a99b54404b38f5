package io.nativetok.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loader of a folder tree of PNG and JPEG images into an {@link ImageSet} of one target size.
 *
 * <p>Files ending in {@code .png}, {@code .jpg} or {@code .jpeg} (any case) are loaded in sorted
 * order of their path relative to the root; other files are ignored. With
 * {@link Builder#labelsFromFolders(boolean)}, each subfolder of the root is a class, labelled by
 * the rank of its name in sorted order.
 *
 * <p>Each image is converted to 8-bit RGB: grayscale becomes R = G = B, alpha is dropped, 16-bit
 * samples are scaled to 8 bits and palette images are expanded. An image of another size is
 * resized so its short side matches the target, then cropped to the center, unless
 * {@link SizePolicy#REJECT} is set.
 *
 * <p>A file that cannot be used (not an image, empty, truncated, too large or of the wrong size
 * under {@code REJECT}) is skipped with a WARN line naming the file, or raises a
 * {@link DataException} in strict mode. A file counts as damaged when ImageIO's decoder throws or
 * reports any warning, such as a JPEG without its end marker. Before decoding, the width and
 * height are read from the header, and images above {@link Builder#maxPixels(long)} are
 * rejected, so a small file that claims a huge size (a decompression bomb) cannot exhaust memory.
 *
 * <pre>{@code
 * ImageSet images = ImageFolder.builder().size(64).build().load(Path.of("imagenet-sample-1000"));
 * }</pre>
 */
public final class ImageFolder {

    /** Default pixel limit: 8192 x 8192. */
    public static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

    /** Handling of an image whose size differs from the target. */
    public enum SizePolicy {
        /** Scale so the short side matches the target, then crop the center. */
        RESIZE_AND_CROP,
        /** Treat the image as invalid: skip it, or fail in strict mode. */
        REJECT
    }

    /** A file that was not loaded, and why. */
    public record Skipped(Path file, String reason) {
    }

    /**
     * Result of a load.
     *
     * @param images the loaded images
     * @param files the source file of each image, in the order of {@code images}
     * @param skipped the files that were not loaded
     * @param converted the number of images converted to 8-bit RGB
     * @param resized the number of images resized to the target size
     */
    public record Report(ImageSet images, List<Path> files, List<Skipped> skipped, int converted, int resized) {
    }

    private final int height;
    private final int width;
    private final boolean labelsFromFolders;
    private final boolean strict;
    private final SizePolicy sizePolicy;
    private final long maxPixels;
    private final int limit;

    private ImageFolder(Builder builder) {
        this.height = builder.height;
        this.width = builder.width;
        this.labelsFromFolders = builder.labelsFromFolders;
        this.strict = builder.strict;
        this.sizePolicy = builder.sizePolicy;
        this.maxPixels = builder.maxPixels;
        this.limit = builder.limit;
    }

    /** Returns a builder; {@link Builder#size(int, int)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads the images under {@code root}.
     *
     * @throws DataException when the folder is missing or contains no PNG or JPEG file, when no
     *     image could be loaded, or in strict mode when any file is invalid
     */
    public ImageSet load(Path root) {
        return loadWithReport(root).images();
    }

    /** Loads the images under {@code root} like {@link #load(Path)} and reports what was skipped or changed. */
    public Report loadWithReport(Path root) {
        long start = System.nanoTime();
        List<String> classNames = labelsFromFolders ? listClassFolders(root) : List.of();
        List<Path> candidates = listImageFiles(root);

        List<byte[]> pixels = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Conversions conversions = new Conversions();
        int resized = 0;

        for (Path file : candidates) {
            if (pixels.size() == limit) {
                break;
            }
            if (labelsFromFolders && file.getParent().equals(root)) {
                skip(skipped, file, "it is directly in the root folder, not in a class folder, so it has no label");
                continue;
            }
            int label = labelsFromFolders ? classNames.indexOf(root.relativize(file).getName(0).toString()) : -1;

            ImageDecoder.Result decoded = ImageDecoder.decode(file, maxPixels);
            if (decoded.error() != null) {
                skip(skipped, file, decoded.error());
                continue;
            }
            BufferedImage image = decoded.image();
            boolean sizeMatches = image.getHeight() == height && image.getWidth() == width;
            if (!sizeMatches && sizePolicy == SizePolicy.REJECT) {
                skip(skipped, file, "its size " + image.getWidth() + "x" + image.getHeight() + " differs from the target "
                        + width + "x" + height + " (width x height), and the size policy is REJECT");
                continue;
            }

            conversions.record(file, RgbPixels.describeConversion(image));
            byte[] planar = RgbPixels.toPlanar(image);
            if (!sizeMatches) {
                planar = Resampler.resizeAndCrop(planar, image.getHeight(), image.getWidth(), height, width);
                resized++;
            }
            pixels.add(planar);
            labels.add(label);
            files.add(file);
        }

        if (pixels.isEmpty()) {
            throw new DataException("No image could be loaded from " + root + ": all " + skipped.size()
                    + " PNG and JPEG files were skipped (see the WARN lines above, first: " + skipped.get(0).file()
                    + ": " + skipped.get(0).reason() + "). Fix or replace the files.");
        }
        conversions.log();
        int[] labelArray = labelsFromFolders ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
        ImageSet images = new ArrayImageSet(height, width, pixels.toArray(new byte[0][]), labelArray, classNames);
        LOG.info("Loaded {} images of {}x{} from {} in {} ms ({} skipped, {} converted to 8-bit RGB, {} resized)",
                pixels.size(), width, height, root, (System.nanoTime() - start) / 1_000_000, skipped.size(),
                conversions.count, resized);
        return new Report(images, List.copyOf(files), List.copyOf(skipped), conversions.count, resized);
    }

    private void skip(List<Skipped> skipped, Path file, String reason) {
        if (strict) {
            throw new DataException("Invalid image file " + file + ": " + reason
                    + ". Remove or replace the file, or load without strict mode to skip such files.");
        }
        LOG.warn("Skipping {}: {}", file, reason);
        skipped.add(new Skipped(file, reason));
    }

    private static void checkFolder(Path root) {
        if (!Files.exists(root)) {
            throw new DataException("Image folder not found: " + root + ". Pass an existing folder of PNG or JPEG files.");
        }
        if (!Files.isDirectory(root)) {
            throw new DataException("Image folder " + root + " is not a folder but a file. Pass the folder that contains"
                    + " the images.");
        }
    }

    /** Returns the sorted names of the subfolders of {@code root}. */
    private static List<String> listClassFolders(Path root) {
        checkFolder(root);
        try (Stream<Path> entries = Files.list(root)) {
            List<String> names = entries.filter(Files::isDirectory)
                    .map(path -> path.getFileName().toString())
                    .sorted()
                    .collect(Collectors.toList());
            if (names.isEmpty()) {
                throw new DataException("Image folder " + root + " has no class folders, but labels from folders are"
                        + " on. Put each class in its own subfolder, or turn labelsFromFolders off.");
            }
            return names;
        } catch (IOException e) {
            throw new DataException("Failed to list image folder " + root + ": " + e.getMessage()
                    + ". Check that the folder is readable.", e);
        }
    }

    /** Returns the PNG and JPEG files under {@code root}, sorted by relative path. */
    private static List<Path> listImageFiles(Path root) {
        checkFolder(root);
        List<Path> images = new ArrayList<>();
        int otherFiles = 0;
        try (Stream<Path> entries = Files.walk(root)) {
            for (Iterator<Path> it = entries.iterator(); it.hasNext(); ) {
                Path path = it.next();
                if (!Files.isRegularFile(path)) {
                    continue;
                }
                if (hasImageExtension(path)) {
                    images.add(path);
                } else {
                    otherFiles++;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DataException("Failed to list image folder " + root + ": " + e.getMessage()
                    + ". Check that the folder and its subfolders are readable.", e);
        }
        if (images.isEmpty()) {
            throw new DataException("No PNG or JPEG files found in " + root + " or its subfolders (" + otherFiles
                    + " other files ignored). Expected files ending in .png, .jpg or .jpeg.");
        }
        images.sort((a, b) -> root.relativize(a).toString().compareTo(root.relativize(b).toString()));
        return images;
    }

    private static boolean hasImageExtension(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }

    /** Count of converted images and the first example, for one INFO line per load. */
    private static final class Conversions {
        private int count;
        private Path example;
        private String exampleFormat;

        void record(Path file, String format) {
            if (format == null) {
                return;
            }
            count++;
            if (example == null) {
                example = file;
                exampleFormat = format;
            }
        }

        void log() {
            if (count > 0) {
                LOG.info("Converted {} images to 8-bit RGB, for example {} ({})", count, example, exampleFormat);
            }
        }
    }

    /** Options of an {@link ImageFolder}. */
    public static final class Builder {
        private int height;
        private int width;
        private boolean labelsFromFolders;
        private boolean strict;
        private SizePolicy sizePolicy = SizePolicy.RESIZE_AND_CROP;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private int limit = Integer.MAX_VALUE;

        private Builder() {
        }

        /** Sets a square target size in pixels. */
        public Builder size(int side) {
            return size(side, side);
        }

        /** Sets the target height and width in pixels; required. */
        public Builder size(int height, int width) {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("Invalid target size " + height + "x" + width
                        + " (height x width): expected at least 1x1, such as 64x64.");
            }
            this.height = height;
            this.width = width;
            return this;
        }

        /** Sets whether each subfolder of the root is a class whose label is its rank in sorted order; off by default. */
        public Builder labelsFromFolders(boolean labelsFromFolders) {
            this.labelsFromFolders = labelsFromFolders;
            return this;
        }

        /** Sets whether an invalid file raises a DataException instead of being skipped; off by default. */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** Sets what to do with images of another size; RESIZE_AND_CROP by default. */
        public Builder sizePolicy(SizePolicy sizePolicy) {
            this.sizePolicy = Objects.requireNonNull(sizePolicy, "sizePolicy");
            return this;
        }

        /** Sets the maximum width x height read from an image header; 8192 x 8192 by default. */
        public Builder maxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw new IllegalArgumentException("Invalid pixel limit " + maxPixels
                        + ": expected at least 1, such as 8192 * 8192.");
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /** Sets the maximum number of images to load, taking files in sorted order; no limit by default. */
        public Builder limit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("Invalid image limit " + limit + ": expected at least 1.");
            }
            this.limit = limit;
            return this;
        }

        /**
         * Returns the loader.
         *
         * @throws IllegalStateException when no target size was set
         */
        public ImageFolder build() {
            if (height == 0) {
                throw new IllegalStateException("No target size set: call size(side) or size(height, width) before build().");
            }
            return new ImageFolder(this);
        }
    }
}
