package io.nativetok.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.Devices;
import io.nativetok.tokenizer.ModelFlops;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Measures a tokenizer's training step, encoding and decoding speed, and relates the model's
 * FLOP rate to a 2048 x 2048 float32 matrix product measured in the same run.
 *
 * <p>Every figure is the median of repeated timings after warm-up, so one slow repetition (this
 * kind of machine is noisy) does not move it.
 */
public final class TokenizerBenchmark {

    private static final int MATMUL_SIZE = 2048;

    private TokenizerBenchmark() {}

    /**
     * The measured figures.
     *
     * @param batchSize images per step and per encode or decode call
     * @param stepMillis median training step time
     * @param trainImagesPerSecond batch size over the median step time
     * @param encodeImagesPerSecond images encoded per second
     * @param decodeImagesPerSecond images decoded per second
     * @param stepGflopPerSecond model FLOPs of a training step over its median time, in GFLOP/s
     * @param matmulGflopPerSecond median rate of a 2048 x 2048 float32 matrix product, in GFLOP/s
     */
    public record Result(
            int batchSize,
            double stepMillis,
            double trainImagesPerSecond,
            double encodeImagesPerSecond,
            double decodeImagesPerSecond,
            double stepGflopPerSecond,
            double matmulGflopPerSecond) {

        /** Returns the training step's FLOP rate as a fraction of the matrix-product rate. */
        public double fractionOfMatmul() {
            return stepGflopPerSecond / matmulGflopPerSecond;
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param config the tokenizer to measure
     * @param images real images of the configuration's size
     * @param batchSize images per step
     * @param repetitions timed repetitions of each measurement, after warm-up
     */
    public static Result run(NativeTokConfig config, ImageSet images, int batchSize, int repetitions) {
        return run(config, images, batchSize, repetitions, Device.cpu());
    }

    /**
     * Runs the benchmark on {@code device}.
     *
     * @throws io.nativetok.util.NativeTokException when {@code device} is a GPU that is not usable
     */
    public static Result run(
            NativeTokConfig config, ImageSet images, int batchSize, int repetitions, Device device) {
        if (batchSize < 1 || batchSize > images.size()) {
            throw new IllegalArgumentException(
                    "Invalid batch size " + batchSize + ": expected 1 to " + images.size()
                            + " (the number of images available).");
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException(
                    "Invalid repetitions " + repetitions + ": expected at least 1.");
        }
        Devices.check(device);
        double matmul = matmulGflopPerSecond(repetitions, device);
        int[] indices = IntStream.range(0, batchSize).toArray();
        TrainingConfig training =
                TrainingConfig.forPreset(config.preset()).toBuilder().batchSize(batchSize).build();
        try (NativeTok tokenizer = NativeTok.create(config, device);
                TokenizerTrainer trainer = tokenizer.newTrainer(training);
                NDManager manager = tokenizer.manager().newSubManager()) {
            NDArray batch = ImageSets.toArray(manager, images, indices);
            double step = medianMillis(repetitions, i -> trainer.step(batch));
            int[][] ids = tokenizer.encode(batch);
            double encode = medianMillis(repetitions, i -> tokenizer.encode(batch));
            // Reading one value waits for the decoder, which a GPU runs asynchronously.
            double decode =
                    medianMillis(
                            repetitions,
                            i -> {
                                try (NDArray decoded = tokenizer.decode(ids, manager)) {
                                    decoded.getFloat(0, 0, 0, 0);
                                }
                            });
            double stepFlops = ModelFlops.trainingStep(config) * batchSize;
            return new Result(
                    batchSize,
                    step,
                    batchSize * 1000 / step,
                    batchSize * 1000 / encode,
                    batchSize * 1000 / decode,
                    stepFlops / step / 1e6,
                    matmul);
        }
    }

    /** Returns the median GFLOP/s of a 2048 x 2048 float32 matrix product on the CPU. */
    public static double matmulGflopPerSecond(int repetitions) {
        return matmulGflopPerSecond(repetitions, Device.cpu());
    }

    /** Returns the median GFLOP/s of a 2048 x 2048 float32 matrix product on {@code device}. */
    public static double matmulGflopPerSecond(int repetitions, Device device) {
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Shape shape = new Shape(MATMUL_SIZE, MATMUL_SIZE);
            NDArray a = manager.randomNormal(shape);
            NDArray b = manager.randomNormal(shape);
            double millis =
                    medianMillis(
                            repetitions,
                            i -> {
                                try (NDArray c = a.matMul(b)) {
                                    c.getFloat(0, 0);
                                }
                            });
            return 2.0 * MATMUL_SIZE * MATMUL_SIZE * MATMUL_SIZE / millis / 1e6;
        }
    }

    /** Runs {@code work} twice for warm-up, then {@code repetitions} times, and returns the median. */
    static double medianMillis(int repetitions, IntConsumer work) {
        work.accept(-2);
        work.accept(-1);
        double[] times = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = System.nanoTime();
            work.accept(i);
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(times);
        return repetitions % 2 == 1
                ? times[repetitions / 2]
                : (times[repetitions / 2 - 1] + times[repetitions / 2]) / 2;
    }
}
