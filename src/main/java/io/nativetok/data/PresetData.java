package io.nativetok.data;

import io.nativetok.tokenizer.Preset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training and evaluation images for a tokenizer preset, found without downloading anything.
 *
 * <p>The 32 x 32 presets ({@code TINY}, {@code CIFAR10}) read CIFAR-10 from the first folder of
 * {@link DataLocation}'s candidates that contains the six {@code .bin} files: {@code
 * NATIVETOK_DATA} when set, then {@code datasets/cifar10}, both relative to the working directory.
 * When the working directory is called {@code notebooks}, as it is for a Jupyter kernel started
 * from the repository's notebook folder, the same candidates relative to its parent are tried next.
 * Evaluation images are the first CIFAR-10 test records, which are bit-exact in every copy.
 *
 * <p>{@code IMAGENET256} reads the PNG and JPEG images of the folder named by {@code
 * NATIVETOK_IMAGES}, scaled and center-cropped to 256 x 256 by {@link ImageFolder}. The first
 * images (at most half of them) are held out for evaluation and the rest are training images.
 *
 * <table>
 *   <caption>Default sizes</caption>
 *   <tr><th>preset</th><th>training images</th><th>evaluation images</th></tr>
 *   <tr><td>TINY</td><td>all 50,000 of CIFAR-10 train</td><td>test records 0-199</td></tr>
 *   <tr><td>CIFAR10</td><td>all 50,000 of CIFAR-10 train</td><td>test records 0-999</td></tr>
 *   <tr><td>IMAGENET256</td><td>all but the evaluation images</td><td>the first 1,000 (at most half)</td></tr>
 * </table>
 *
 * <p>{@code TINY} keeps the whole training set because a seeded {@link BatchSampler} draws a
 * different sequence of batches from a set of another size, which changes what a short training
 * run reaches. Reading all of it takes about a second.
 *
 * @param train the training images, with labels for CIFAR-10
 * @param evaluation the held-out evaluation images
 * @param source the CIFAR-10 or image folder the images were read from
 */
public record PresetData(ImageSet train, ImageSet evaluation, Path source) {

    /** Environment variable that names the image folder of {@code IMAGENET256}. */
    public static final String IMAGES_VARIABLE = "NATIVETOK_IMAGES";

    /** Name of the folder whose parent is tried as a second root, see the class description. */
    public static final String NOTEBOOK_FOLDER = "notebooks";

    private static final Logger LOG = LoggerFactory.getLogger(PresetData.class);

    /** Validates the fields. */
    public PresetData {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Loads the preset's default training and evaluation images from the process environment and
     * working directory.
     *
     * @throws DataException when the data is not found; the message lists every folder checked and
     *     how to get the data
     */
    public static PresetData load(Preset preset) {
        return builder(preset).load();
    }

    /** Returns a builder with the preset's default sizes, the process environment and working directory. */
    public static Builder builder(Preset preset) {
        return new Builder(preset);
    }

    /** Returns a one-line description such as "50000 training and 200 evaluation images of 32 x 32 from ...". */
    public String summary() {
        return String.format(Locale.ROOT, "%d training and %d evaluation images of %d x %d from %s",
                train.size(), evaluation.size(), evaluation.height(), evaluation.width(), source);
    }

    /** Returns the default number of evaluation images of a preset. */
    public static int defaultEvaluationImages(Preset preset) {
        return preset == Preset.TINY ? 200 : Cifar10.EXACT_TEST_RECORDS;
    }

    /** Options of a {@link PresetData} load. */
    public static final class Builder {
        private final Preset preset;
        private int trainImages;   // 0 for all
        private int evaluationImages;
        private Function<String, String> environment = System::getenv;
        private Path workingDirectory = Path.of("").toAbsolutePath();

        private Builder(Preset preset) {
            this.preset = Objects.requireNonNull(preset, "preset");
            this.evaluationImages = defaultEvaluationImages(preset);
        }

        /**
         * Sets the number of training images, taken from the start of the training set; 0 for all.
         * A number above the set's size takes all.
         */
        public Builder trainImages(int count) {
            if (count < 0) {
                throw new IllegalArgumentException(
                        "Invalid number of training images " + count + ": expected 0 (all) or more.");
            }
            this.trainImages = count;
            return this;
        }

        /**
         * Sets the number of evaluation images: CIFAR-10 test records 0 to count - 1, at most
         * 1,000, or the first images of an image folder, at most half of them.
         */
        public Builder evaluationImages(int count) {
            if (count < 1) {
                throw new IllegalArgumentException(
                        "Invalid number of evaluation images " + count + ": expected at least 1.");
            }
            if (preset.config().imageSize() == Cifar10.SIDE && count > Cifar10.EXACT_TEST_RECORDS) {
                throw new IllegalArgumentException("Invalid number of evaluation images " + count + ": CIFAR-10 has "
                        + Cifar10.EXACT_TEST_RECORDS + " bit-exact test records, so expected 1 to "
                        + Cifar10.EXACT_TEST_RECORDS + ".");
            }
            this.evaluationImages = count;
            return this;
        }

        /** Sets the environment lookup, {@code System::getenv} by default; tests pass {@code Map::get}. */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Sets the folder that relative paths are resolved against; the current directory by default. */
        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Reads the images.
         *
         * @throws DataException when CIFAR-10 or the image folder is not found, listing the folders
         *     checked and how to get the data, when a file cannot be read, or when the image folder
         *     contains fewer than 2 images
         * @throws IllegalStateException when {@code IMAGENET256} is requested and {@code
         *     NATIVETOK_IMAGES} is not set
         */
        public PresetData load() {
            return preset.config().imageSize() == Cifar10.SIDE ? loadCifar10() : loadImageFolder();
        }

        private PresetData loadCifar10() {
            Path folder = locateCifar10();
            ImageSet train = limit(Cifar10.load(folder, Cifar10.Split.TRAIN), trainImages);
            ImageSet evaluation = ImageSets.subset(Cifar10.load(folder, Cifar10.Split.TEST_EXACT), 0, evaluationImages);
            return new PresetData(train, evaluation, folder);
        }

        /**
         * Returns the CIFAR-10 folder that {@link #load} would read, without reading it: the first
         * candidate folder, over all roots, that contains the six {@code .bin} files.
         *
         * @throws DataException when no candidate contains them, listing every folder checked
         */
        public Path locateCifar10() {
            Set<Path> checked = new LinkedHashSet<>();
            List<String> failures = new ArrayList<>();
            for (Path root : roots()) {
                DataLocation location = DataLocation.builder().environment(environment).workingDirectory(root).build();
                for (DataLocation.Candidate candidate : location.candidates(null)) {
                    if (!checked.add(candidate.folder())) {
                        continue;
                    }
                    String problem = problemWith(candidate.folder());
                    if (problem == null) {
                        LOG.info("Using CIFAR-10 in {} ({})", candidate.folder(), candidate.source());
                        return candidate.folder();
                    }
                    failures.add(candidate.source() + " " + candidate.folder() + ": " + problem);
                }
            }
            throw new DataException("CIFAR-10 not found for preset " + preset.id() + ". Looked in:"
                    + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", failures)
                    + System.lineSeparator() + "Nothing is downloaded here. To get the data, run"
                    + " `bin/nativetok data download cifar10` in the repository, or set "
                    + DataLocation.ENVIRONMENT_VARIABLE + " to a folder that contains "
                    + String.join(", ", Cifar10.DATA_FILES) + ".");
        }

        private PresetData loadImageFolder() {
            int imageSize = preset.config().imageSize();
            String variable = environment.apply(IMAGES_VARIABLE);
            if (variable == null || variable.isBlank()) {
                throw new IllegalStateException(IMAGES_VARIABLE + " is not set: the " + preset.id() + " preset needs a"
                        + " folder of PNG or JPEG images, which are scaled to " + imageSize + " x " + imageSize
                        + ". Set it to such a folder, for example an ImageNet subset, before starting Jupyter.");
            }
            Path folder = locateImageFolder(Path.of(variable));
            ImageSet all = ImageFolder.builder().size(imageSize).build().load(folder);
            if (all.size() < 2) {
                throw new DataException("Image folder " + folder + " contains " + all.size() + " image, but the "
                        + preset.id() + " preset needs at least 2: one for evaluation and one for training."
                        + " Add images or set " + IMAGES_VARIABLE + " to a larger folder.");
            }
            int evaluationCount = Math.min(evaluationImages, all.size() / 2);
            ImageSet evaluation = ImageSets.subset(all, 0, evaluationCount);
            ImageSet train = limit(ImageSets.subset(all, evaluationCount, all.size()), trainImages);
            return new PresetData(train, evaluation, folder);
        }

        private Path locateImageFolder(Path path) {
            List<String> failures = new ArrayList<>();
            for (Path root : roots()) {
                Path folder = root.resolve(path).normalize();
                if (Files.isDirectory(folder)) {
                    return folder;
                }
                failures.add(folder + ": " + (Files.exists(folder) ? "not a folder" : "folder not found"));
                if (path.isAbsolute()) {
                    break;
                }
            }
            throw new DataException("Image folder of " + IMAGES_VARIABLE + " not found. Looked in:" + System.lineSeparator()
                    + "  " + String.join(System.lineSeparator() + "  ", failures) + System.lineSeparator()
                    + "Set " + IMAGES_VARIABLE + " to a folder of PNG or JPEG images.");
        }

        /** Returns the working directory, then its parent when the working directory is {@code notebooks}. */
        private List<Path> roots() {
            List<Path> roots = new ArrayList<>(List.of(workingDirectory));
            Path name = workingDirectory.getFileName();
            if (name != null && name.toString().equals(NOTEBOOK_FOLDER) && workingDirectory.getParent() != null) {
                roots.add(workingDirectory.getParent());
            }
            return roots;
        }

        private static String problemWith(Path folder) {
            if (!Files.exists(folder)) {
                return "folder not found";
            }
            if (!Files.isDirectory(folder)) {
                return "not a folder";
            }
            List<String> missing = Cifar10.missingFiles(folder);
            return missing.isEmpty() ? null : "missing " + String.join(", ", missing);
        }

        private static ImageSet limit(ImageSet set, int count) {
            return count == 0 || count >= set.size() ? set : ImageSets.subset(set, 0, count);
        }
    }
}
