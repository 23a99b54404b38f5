package io.nativetok.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.cli.Main;
import io.nativetok.data.ImageFolder;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.Devices;
import io.nativetok.tokenizer.ModelFlops;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.StepMetrics;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A short training run of a preset on any image folder, on a chosen device: the check that a GPU
 * setup works end to end (CUDA libtorch loads, the model trains, encode and decode run).
 *
 * <p>Images are read with {@link ImageFolder} and resized to the preset's image size. Each step is
 * timed after it returns; the loss values are read back, which waits for the GPU.
 */
@Command(
        name = "gpu-check",
        mixinStandardHelpOptions = true,
        description = "Train a preset for a few steps on an image folder and report step times.")
public final class GpuCheck implements Callable<Integer> {

    @Spec private CommandLine.Model.CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "imagenet256",
            description = "Model and training preset (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "gpu",
            description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    private String device;

    @Option(names = "--images", paramLabel = "DIR", required = true,
            description = "Folder of PNG or JPEG images, resized to the preset's image size.")
    private Path images;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20",
            description = "Training steps (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16",
            description = "Images per step (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (steps < 1) {
            throw new IllegalArgumentException("Invalid --steps " + steps + ": expected at least 1.");
        }
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("Image folder not found: " + images + ". Pass --images DIR.");
        }
        Preset chosen = Preset.parse(preset);
        Device target = Devices.parse(device);
        NativeTokConfig config = chosen.config();
        TrainingConfig training =
                TrainingConfig.forPreset(chosen).toBuilder()
                        .batchSize(batchSize)
                        .steps(Math.max(steps, 2))
                        .warmupSteps(0)
                        .restartUnusedCodes(0)
                        .build();
        int side = config.imageSize();
        ImageSet set = ImageFolder.builder().size(side, side).limit(batchSize).build().load(images);
        if (set.size() < batchSize) {
            throw new IllegalArgumentException(
                    "Image folder " + images + " has " + set.size() + " usable images, fewer than --batch-size "
                            + batchSize + ". Use a smaller batch or a larger folder.");
        }

        out.printf(Locale.ROOT, "Engine %s %s, %d GPU(s) visible; device %s%n",
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                Engine.getInstance().getGpuCount(), target);
        out.printf(Locale.ROOT, "Preset %s: %.1f GFLOP per image for a training step (model count)%n",
                chosen.id(), ModelFlops.trainingStep(config) / 1e9);
        out.flush();
        long start = System.nanoTime();
        try (NativeTok tokenizer = NativeTok.create(config, target);
                TokenizerTrainer trainer = tokenizer.newTrainer(training);
                NDManager manager = tokenizer.manager().newSubManager()) {
            out.printf(Locale.ROOT, "Built %s in %.1f s%n", tokenizer, (System.nanoTime() - start) / 1e9);
            NDArray batch = ImageSets.toArray(manager, set, IntStream.range(0, batchSize).toArray());
            double[] millis = new double[steps];
            for (int i = 0; i < steps; i++) {
                StepMetrics metrics = trainer.step(batch);
                millis[i] = metrics.milliseconds();
                out.printf(Locale.ROOT, "step %d: %s%n", i + 1, metrics.summary());
                out.flush();
            }
            double median = PyTorchComparison.median(java.util.Arrays.copyOfRange(millis, Math.min(2, steps - 1), steps));
            out.printf(Locale.ROOT,
                    "Median step after warm-up: %.0f ms, %.1f images/s, %.1f TFLOP/s (model count)%n",
                    median, batchSize * 1000 / median,
                    ModelFlops.trainingStep(config) * batchSize / median / 1e9);

            int[][] ids = tokenizer.encode(batch);
            try (NDArray decoded = tokenizer.decode(ids, manager)) {
                out.printf(Locale.ROOT, "Encoded %d images into %d tokens each and decoded them to %s%n",
                        ids.length, ids[0].length, decoded.getShape());
            }
        }
        out.printf(Locale.ROOT, "Total %.1f s%n", (System.nanoTime() - start) / 1e9);
        out.flush();
        return 0;
    }

    /** Runs the check with the command line's error handling: one {@code error:} line for bad input. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        CommandLine commandLine = new CommandLine(new GpuCheck());
        commandLine.setExecutionExceptionHandler(
                Main.newCommandLine().getExecutionExceptionHandler());
        System.exit(commandLine.execute(args));
    }
}
