package io.nativetok.metrics;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.nativetok.data.ImageSet;
import io.nativetok.tokenizer.CheckpointFile;
import io.nativetok.train.Optimization;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A small CNN classifier trained on the project's own data set, whose penultimate features stand in
 * for Inception features when comparing image sets ({@link ImageScores}).
 *
 * <p>No Inception weights can be obtained here, so scores computed with this network are called
 * "classifier FD" and "classifier IS". They rank image sets like FID and IS do, but their values
 * are not comparable with published FID or IS numbers.
 *
 * <p>Images are float32 {@code (B, 3, H, W)} in [0, 1]; the network maps them to
 * {@code (x - 0.5) / 0.25} itself. Features are the {@code F}-dimensional global average of the last
 * convolution stage, where F is the last stage's width.
 */
public final class FeatureNetwork implements AutoCloseable {

    private static final String KIND = "feature-network";
    private static final String PROGRESS_KIND = "feature-network-training";
    private static final float MEAN = 0.5f;
    private static final float STD = 0.25f;
    private static final int EVALUATION_BATCH = 250;

    /**
     * The network's shape.
     *
     * @param imageSize H = W of the images it takes
     * @param classes number of classes
     * @param widths channels of each of the three stages; the last is the feature dimension
     */
    public record Config(int imageSize, int classes, int[] widths) {

        /** Validates the shape. */
        public Config {
            if (imageSize < 8 || imageSize % 8 != 0) {
                throw new IllegalArgumentException(
                        "Invalid feature network image size " + imageSize
                                + ": expected a multiple of 8, at least 8 (three 2 x 2 poolings).");
            }
            if (classes < 2) {
                throw new IllegalArgumentException(
                        "Invalid class count " + classes + ": expected at least 2.");
            }
            if (widths.length != 3 || Arrays.stream(widths).anyMatch(w -> w < 1)) {
                throw new IllegalArgumentException(
                        "Invalid stage widths " + Arrays.toString(widths)
                                + ": expected three positive channel counts.");
            }
            widths = widths.clone();
        }

        /** Returns the default configuration for CIFAR-10: widths 32, 64, 128. */
        public static Config cifar10() {
            return new Config(32, 10, new int[] {32, 64, 128});
        }

        Map<String, String> toMap() {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("image-size", String.valueOf(imageSize));
            map.put("classes", String.valueOf(classes));
            map.put("widths", widths[0] + "," + widths[1] + "," + widths[2]);
            return map;
        }

        static Config fromMap(Map<String, String> map) {
            int[] widths = Arrays.stream(map.get("widths").split(",")).mapToInt(Integer::parseInt).toArray();
            return new Config(
                    Integer.parseInt(map.get("image-size")), Integer.parseInt(map.get("classes")), widths);
        }
    }

    /**
     * Settings of {@link #train}.
     *
     * @param epochs passes over the training set
     * @param batchSize images per step
     * @param learningRate peak AdamW learning rate, reached after one tenth of an epoch's steps and
     *     decayed by a cosine to 1% of it
     * @param seed seed of initialisation, data order and augmentation
     */
    public record TrainingOptions(int epochs, int batchSize, float learningRate, long seed) {

        /** Validates the settings. */
        public TrainingOptions {
            if (epochs < 1) {
                throw new IllegalArgumentException("Invalid epochs " + epochs + ": expected at least 1.");
            }
            if (batchSize < 2) {
                throw new IllegalArgumentException(
                        "Invalid batch size " + batchSize + ": expected at least 2 (BatchNorm needs a batch).");
            }
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException(
                        "Invalid learning rate " + learningRate + ": expected a value > 0.");
            }
        }
    }

    /**
     * Features and class probabilities of a set of images.
     *
     * @param features {@code [N][F]} penultimate features
     * @param probabilities {@code [N][classes]} softmax outputs p(y | x)
     */
    public record Outputs(double[][] features, double[][] probabilities) {}

    private final Config config;
    private final NDManager manager;
    private final ClassifierBlock block;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private ParameterStore parameterStore;

    private FeatureNetwork(Config config, NDManager manager, ClassifierBlock block) {
        this.config = config;
        this.manager = manager;
        this.block = block;
        this.parameterStore = new ParameterStore(manager, false);
    }

    /** Creates a network with freshly initialised parameters. */
    public static FeatureNetwork create(Config config, long seed) {
        NDManager manager = NDManager.newBaseManager();
        try {
            Engine.getInstance().setRandomSeed((int) seed);
            ClassifierBlock block = new ClassifierBlock(config.widths(), config.classes());
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.imageSize(), config.imageSize()));
            return new FeatureNetwork(config, manager, block);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Trains a network on {@code train} with random crops (4 pixels of zero padding) and horizontal
     * flips, and records its accuracy on {@code test}.
     *
     * @param log receives a progress bar and one line per epoch; null for silence
     */
    public static FeatureNetwork train(
            Config config, ImageSet train, ImageSet test, TrainingOptions options, PrintStream log) {
        return train(config, train, test, options, log, null, Integer.MAX_VALUE);
    }

    /**
     * Trains like {@link #train(Config, ImageSet, ImageSet, TrainingOptions, PrintStream)}, saving
     * the network, optimizer state and finished epoch count to {@code progress} after every epoch.
     * When {@code progress} exists at the start, training continues after its last finished epoch,
     * with the same data order and augmentation as an uninterrupted run. The file is deleted when
     * training finishes.
     *
     * @param progress the per-epoch checkpoint file, or null for none
     * @throws NativeTokException when {@code progress} was written with other settings
     */
    public static FeatureNetwork train(Config config, ImageSet train, ImageSet test, TrainingOptions options,
            PrintStream log, Path progress) {
        return train(config, train, test, options, log, progress, Integer.MAX_VALUE);
    }

    /** Trains as above, returning early after epoch {@code stopAfter}, as an interruption would. */
    static FeatureNetwork train(Config config, ImageSet train, ImageSet test, TrainingOptions options,
            PrintStream log, Path progress, int stopAfter) {
        checkSet(config, train, "training");
        checkSet(config, test, "test");
        int stepsPerEpoch = train.size() / options.batchSize();
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException(
                    "Training set of " + train.size() + " images is smaller than the batch size "
                            + options.batchSize() + ". Use more images or a smaller batch.");
        }
        int steps = stepsPerEpoch * options.epochs();
        TrainingConfig schedule =
                new TrainingConfig(
                        options.batchSize(), steps, options.learningRate(), options.learningRate() / 100,
                        Math.max(1, stepsPerEpoch / 10), 5e-4f, 0.9f, 0.999f, 5f, 0, 0, 1, 0, 0f, options.seed());

        FeatureNetwork network = create(config, options.seed());
        long start = System.nanoTime();
        try (Optimization optimization = new Optimization(network.block, network.manager, schedule);
                ProgressBar bar = log == null ? null
                        : ProgressBar.builder().label("classifier").total(steps).out(log).build()) {
            SplittableRandom random = new SplittableRandom(options.seed());
            int finished = progress == null ? 0
                    : network.resume(progress, optimization, config, options, train.size(), log);
            if (bar != null) {
                bar.startAt(optimization.step());
            }
            for (int epoch = 1; epoch <= finished; epoch++) {
                skipEpochDraws(random, train.size(), stepsPerEpoch * options.batchSize());
            }
            for (int epoch = finished + 1; epoch <= options.epochs(); epoch++) {
                int[] order = shuffled(train.size(), random);
                double lossSum = 0;
                for (int s = 0; s < stepsPerEpoch; s++) {
                    int[] indices = Arrays.copyOfRange(order, s * options.batchSize(), (s + 1) * options.batchSize());
                    lossSum += network.trainStep(optimization, train, indices, random);
                    if (bar != null) {
                        bar.update(optimization.step(), String.format(Locale.ROOT, "epoch %d loss %.3f",
                                epoch, lossSum / (s + 1)));
                    }
                }
                if (log != null) {
                    double accuracy = network.accuracy(test, Math.min(test.size(), 1000));
                    log.printf(Locale.ROOT, "epoch %d: train loss %.4f, accuracy on the first %d test images %.2f%%%n",
                            epoch, lossSum / stepsPerEpoch, Math.min(test.size(), 1000), 100 * accuracy);
                    log.flush();
                }
                if (progress != null) {
                    network.saveProgress(progress, optimization, options, train.size(), epoch);
                }
                if (epoch >= stopAfter) {
                    return network;
                }
            }
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = network.accuracy(test, test.size());
        network.meta.put("test-accuracy", String.valueOf(accuracy));
        network.meta.put("test-images", String.valueOf(test.size()));
        network.meta.put("training-seconds", String.format(Locale.ROOT, "%.0f", seconds));
        network.meta.put("epochs", String.valueOf(options.epochs()));
        network.meta.put("batch-size", String.valueOf(options.batchSize()));
        network.meta.put("learning-rate", String.valueOf(options.learningRate()));
        network.meta.put("seed", String.valueOf(options.seed()));
        if (progress != null) {
            try {
                Files.deleteIfExists(progress);
            } catch (IOException e) {
                throw new NativeTokException("Failed to delete the finished training checkpoint " + progress + ": "
                        + e.getMessage() + ". Delete it by hand.", e);
            }
        }
        return network;
    }

    /** Consumes the random draws of one epoch (shuffle, then crop and flip per image) without training. */
    private static void skipEpochDraws(SplittableRandom random, int size, int images) {
        shuffled(size, random);
        for (int i = 0; i < images; i++) {
            random.nextInt(9);
            random.nextInt(9);
            random.nextBoolean();
        }
    }

    private void saveProgress(Path path, Optimization optimization, TrainingOptions options, int trainSize, int epoch) {
        Map<String, String> progressMeta = new LinkedHashMap<>(optimization.meta());
        progressMeta.putAll(settings(options, trainSize));
        progressMeta.put("finished-epochs", String.valueOf(epoch));
        CheckpointFile.write(path, PROGRESS_KIND, config.toMap(), progressMeta, block, optimization.state());
    }

    /** Loads a per-epoch checkpoint into this network and {@code optimization}, and returns its epoch. */
    private int resume(Path path, Optimization optimization, Config expected, TrainingOptions options, int trainSize,
            PrintStream log) {
        if (!Files.isRegularFile(path)) {
            return 0;
        }
        CheckpointFile.Header header = CheckpointFile.readHeader(path);
        if (!PROGRESS_KIND.equals(header.kind()) || !expected.toMap().equals(header.config())) {
            throw new NativeTokException("Cannot resume classifier training from " + path + ": it contains a "
                    + header.kind() + " with configuration " + header.config() + ", expected a " + PROGRESS_KIND
                    + " with " + expected.toMap() + ". Delete the file to start over.");
        }
        Map<String, String> expectedSettings = settings(options, trainSize);
        for (Map.Entry<String, String> setting : expectedSettings.entrySet()) {
            String found = header.meta().get(setting.getKey());
            if (!setting.getValue().equals(found)) {
                throw new NativeTokException("Cannot resume classifier training from " + path + ": it was started with "
                        + setting.getKey() + " = " + found + ", but this run has " + setting.getValue()
                        + ". Use the same settings, or delete the file to start over.");
            }
        }
        Map<String, NDArray> state = CheckpointFile.readInto(path, block, manager);
        optimization.restore(state, header.meta());
        parameterStore = new ParameterStore(manager, false);
        int epoch = Integer.parseInt(header.meta().get("finished-epochs"));
        if (log != null) {
            log.printf(Locale.ROOT, "Resuming classifier training after epoch %d from %s%n", epoch, path);
        }
        return epoch;
    }

    private static Map<String, String> settings(TrainingOptions options, int trainSize) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("epochs", String.valueOf(options.epochs()));
        settings.put("batch-size", String.valueOf(options.batchSize()));
        settings.put("learning-rate", String.valueOf(options.learningRate()));
        settings.put("seed", String.valueOf(options.seed()));
        settings.put("training-images", String.valueOf(trainSize));
        return settings;
    }

    private double trainStep(Optimization optimization, ImageSet set, int[] indices, SplittableRandom random) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray images = scope.create(augmented(set, indices, random), imageShape(indices.length));
            float[] labels = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                labels[i] = set.label(indices[i]);
            }
            NDArray oneHot = scope.create(labels).toType(DataType.INT32, false).oneHot(config.classes());
            Optimization.Update update =
                    optimization.apply(
                            () -> {
                                NDArray logits = block.forward(parameterStore, new ai.djl.ndarray.NDList(images), true)
                                        .singletonOrThrow();
                                NDArray loss = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).mean().neg();
                                return new Optimization.Losses(loss, Map.of());
                            });
            return update.losses().get("loss");
        }
    }

    /** Builds a normalised batch with a random crop from the zero-padded image and a random flip. */
    private float[] augmented(ImageSet set, int[] indices, SplittableRandom random) {
        int side = config.imageSize();
        int plane = side * side;
        byte[] pixels = new byte[3 * plane];
        float[] batch = new float[indices.length * 3 * plane];
        for (int b = 0; b < indices.length; b++) {
            set.copyPixels(indices[b], pixels, 0);
            int dx = random.nextInt(9) - 4;
            int dy = random.nextInt(9) - 4;
            boolean flip = random.nextBoolean();
            for (int c = 0; c < 3; c++) {
                int base = (b * 3 + c) * plane;
                for (int y = 0; y < side; y++) {
                    int sy = y + dy;
                    for (int x = 0; x < side; x++) {
                        int sx = (flip ? side - 1 - x : x) + dx;
                        boolean inside = sy >= 0 && sy < side && sx >= 0 && sx < side;
                        batch[base + y * side + x] =
                                inside ? normalized(pixels[c * plane + sy * side + sx]) : 0f;
                    }
                }
            }
        }
        return batch;
    }

    private static float normalized(byte pixel) {
        return ((pixel & 0xFF) / 255f - MEAN) / STD;
    }

    private Shape imageShape(long batch) {
        return new Shape(batch, 3, config.imageSize(), config.imageSize());
    }

    private static int[] shuffled(int size, SplittableRandom random) {
        int[] order = IntStream.range(0, size).toArray();
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    // ---------------------------------------------------------------- inference

    /**
     * Computes features and class probabilities of images.
     *
     * @param images {@code (B, 3, H, W)} float32 in [0, 1]
     */
    public Outputs run(NDArray images) {
        checkImages(images);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = images.toDevice(scope.getDevice(), true);
            x.attach(scope);
            x = x.sub(MEAN).div(STD);
            NDArray features = block.features(parameterStore, x, false);
            NDArray probabilities = block.logits(parameterStore, features, false).softmax(1);
            return new Outputs(toRows(features), toRows(probabilities));
        }
    }

    /** Computes features and class probabilities of every image of {@code set}, in batches. */
    public Outputs run(ImageSet set) {
        checkSet(config, set, "evaluated");
        double[][] features = new double[set.size()][];
        double[][] probabilities = new double[set.size()][];
        for (int from = 0; from < set.size(); from += EVALUATION_BATCH) {
            int to = Math.min(set.size(), from + EVALUATION_BATCH);
            try (NDManager scope = manager.newSubManager()) {
                NDArray images = io.nativetok.data.ImageSets.toArray(scope, set, IntStream.range(from, to).toArray());
                Outputs outputs = run(images);
                System.arraycopy(outputs.features(), 0, features, from, to - from);
                System.arraycopy(outputs.probabilities(), 0, probabilities, from, to - from);
            }
        }
        return new Outputs(features, probabilities);
    }

    /** Returns the fraction of the first {@code count} images of {@code set} classified correctly. */
    public double accuracy(ImageSet set, int count) {
        if (count < 1 || count > set.size()) {
            throw new IllegalArgumentException(
                    "Invalid image count " + count + ": expected 1 to " + set.size() + ".");
        }
        ImageSet head = io.nativetok.data.ImageSets.subset(set, 0, count);
        double[][] probabilities = run(head).probabilities();
        int correct = 0;
        for (int i = 0; i < count; i++) {
            if (argMax(probabilities[i]) == set.label(i)) {
                correct++;
            }
        }
        return (double) correct / count;
    }

    private static int argMax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double[][] toRows(NDArray matrix) {
        int rows = Math.toIntExact(matrix.getShape().get(0));
        int columns = Math.toIntExact(matrix.getShape().get(1));
        float[] flat = matrix.toFloatArray();
        double[][] result = new double[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                result[r][c] = flat[r * columns + c];
            }
        }
        return result;
    }

    private void checkImages(NDArray images) {
        Shape shape = images.getShape();
        int side = config.imageSize();
        if (shape.dimension() != 4 || shape.get(1) != 3 || shape.get(2) != side || shape.get(3) != side
                || images.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "Invalid images " + shape + " " + images.getDataType() + ": the feature network takes"
                            + " float32 (B, 3, " + side + ", " + side + ") in [0, 1].");
        }
    }

    private static void checkSet(Config config, ImageSet set, String role) {
        if (set.height() != config.imageSize() || set.width() != config.imageSize()) {
            throw new IllegalArgumentException(
                    "Invalid " + role + " images of " + set.width() + " x " + set.height()
                            + ": the feature network takes " + config.imageSize() + " x " + config.imageSize() + ".");
        }
        if (set.size() < 1) {
            throw new IllegalArgumentException("The " + role + " set is empty: expected at least one image.");
        }
    }

    // ---------------------------------------------------------------- save and load

    /** Saves the network and its training record (test accuracy, time) to {@code path}, atomically. */
    public void save(Path path) {
        CheckpointFile.write(path, KIND, config.toMap(), meta, block, Map.of());
    }

    /** Loads a network saved by {@link #save}. */
    public static FeatureNetwork load(Path path) {
        CheckpointFile.Header header = CheckpointFile.readHeader(path);
        if (!KIND.equals(header.kind())) {
            throw new NativeTokException(
                    "Checkpoint " + path + " is of kind '" + header.kind() + "', not a feature network."
                            + " Pass a file written by `nativetok train-classifier`.");
        }
        FeatureNetwork network = create(Config.fromMap(header.config()), 0);
        try {
            CheckpointFile.readInto(path, network.block, network.manager).values().forEach(NDArray::close);
            network.parameterStore = new ParameterStore(network.manager, false);
            network.meta.putAll(header.meta());
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** Returns the configuration. */
    public Config config() {
        return config;
    }

    /** Returns F, the feature dimension. */
    public int featureDimension() {
        return config.widths()[2];
    }

    /**
     * Returns the training record: test accuracy, number of test images, training seconds and the
     * training settings. It is empty for a network that was created but not trained.
     */
    public Map<String, String> meta() {
        return Map.copyOf(meta);
    }

    @Override
    public void close() {
        manager.close();
    }
}
