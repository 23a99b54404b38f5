package io.nativetok.cli;

import ai.djl.Device;
import io.nativetok.bench.PyTorchComparison;
import io.nativetok.bench.PythonProcess;
import io.nativetok.bench.GeneratorBenchmark;
import io.nativetok.bench.TokenizerBenchmark;
import io.nativetok.data.Cifar10;
import io.nativetok.data.DataLocation;
import io.nativetok.data.ImageSet;
import io.nativetok.generate.GeneratorPreset;
import io.nativetok.generate.SamplingOptions;
import io.nativetok.tokenizer.Devices;
import io.nativetok.tokenizer.ModelFlops;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TrainingConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nativetok bench}: training, encoding and decoding speed of a preset on real images. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure training step time, encode and decode throughput and FLOP rate on CIFAR-10 images,"
                + " or with --generators the generators' sampling speed.")
public final class BenchCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "cifar10",
            description = "Preset to measure: tiny or cifar10; with --generators also imagenet256"
                    + " (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per step (default: the preset's); with --generators, images per sampling"
                    + " call (default: 16).")
    private Integer batchSize;

    @Option(names = "--repetitions", paramLabel = "N", defaultValue = "10",
            description = "Timed repetitions of each measurement after 2 warm-up runs (default: ${DEFAULT-VALUE}).")
    private int repetitions;

    @Option(names = "--generators",
            description = "Measure the generators' sampling instead: AR tokens/s with and without the key-value"
                    + " cache, and MaskGIT images/s (32 tokens, codebook 1,024, CFG 2, 8 MaskGIT steps).")
    private boolean generators;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 folder (default: $NATIVETOK_DATA, else datasets/cifar10).")
    private Path data;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "cpu, gpu or gpu:N; a GPU that is not usable is an error (default: ${DEFAULT-VALUE})."
                    + " --against-pytorch needs cpu.")
    private String device;

    @Option(names = "--against-pytorch",
            description = "Alternate Java and PyTorch-reference runs of each measurement (A B A B) on the same"
                    + " weights and batch, and report both with their ratio.")
    private boolean againstPytorch;

    @Option(names = "--python", paramLabel = "PATH",
            description = "Python with PyTorch for --against-pytorch (default: $NATIVETOK_PYTHON, else /usr/bin/python3).")
    private String python;

    @Option(names = "--pytorch-worker", paramLabel = "FILE", defaultValue = "bench/pytorch/bench_worker.py",
            description = "The PyTorch benchmark worker script for --against-pytorch (default: ${DEFAULT-VALUE},"
                    + " relative to the working directory).")
    private Path pytorchWorker;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (generators) {
            return benchmarkGenerators(out);
        }
        Preset chosen = Preset.parse(preset);
        NativeTokConfig config = chosen.config();
        if (config.imageSize() != Cifar10.SIDE) {
            throw new IllegalArgumentException(
                    "Invalid --preset " + preset + ": the benchmark uses 32 x 32 CIFAR-10 images, so"
                            + " choose tiny or cifar10.");
        }
        Device chosenDevice = Devices.parse(device);
        if (againstPytorch && chosenDevice.isGpu()) {
            throw new IllegalArgumentException(
                    "Invalid --device " + device + " with --against-pytorch: the PyTorch reference runs on"
                            + " the CPU (Debian's PyTorch has no CUDA), so compare with --device cpu.");
        }
        int batch = batchSize != null ? batchSize : io.nativetok.train.TrainingConfig.forPreset(chosen).batchSize();
        if (batch < 1) {
            throw new IllegalArgumentException("Invalid --batch-size " + batch + ": expected at least 1 image.");
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException(
                    "Invalid --repetitions " + repetitions + ": expected at least 1 timed run.");
        }

        ImageSet images = Cifar10.load(DataLocation.fromSystem().locateCifar10(data, true, null), Cifar10.Split.TEST_EXACT);
        if (againstPytorch) {
            return compareWithPytorch(out, chosen, config, batch, images);
        }
        return benchmarkJava(out, chosen, config, batch, images, chosenDevice);
    }

    private int benchmarkJava(
            PrintWriter out, Preset chosen, NativeTokConfig config, int batch, ImageSet images, Device chosenDevice) {
        out.printf(Locale.ROOT, "Benchmark: preset %s on %s, batch %d, %d repetitions, %d CPU threads%n",
                chosen.id(), chosenDevice, batch, repetitions, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "Model FLOPs per image: forward %.3f GFLOP, training step %.3f GFLOP%n",
                ModelFlops.forward(config) / 1e9, ModelFlops.trainingStep(config) / 1e9);
        out.flush();
        TokenizerBenchmark.Result r = TokenizerBenchmark.run(config, images, batch, repetitions, chosenDevice);
        out.printf(Locale.ROOT, "| measurement | value |%n| --- | --- |%n");
        out.printf(Locale.ROOT, "| training step (median) | %.0f ms |%n", r.stepMillis());
        out.printf(Locale.ROOT, "| training images/s | %.1f |%n", r.trainImagesPerSecond());
        out.printf(Locale.ROOT, "| encode images/s | %.1f |%n", r.encodeImagesPerSecond());
        out.printf(Locale.ROOT, "| decode images/s | %.1f |%n", r.decodeImagesPerSecond());
        out.printf(Locale.ROOT, "| training step model FLOP rate | %.1f GFLOP/s |%n", r.stepGflopPerSecond());
        out.printf(Locale.ROOT, "| 2048 x 2048 matmul, same run | %.1f GFLOP/s |%n", r.matmulGflopPerSecond());
        out.printf(Locale.ROOT, "| step FLOP rate / matmul rate | %.0f%% |%n", 100 * r.fractionOfMatmul());
        out.flush();
        return 0;
    }

    private int benchmarkGenerators(PrintWriter out) {
        GeneratorPreset chosen = GeneratorPreset.parse(preset);
        int batch = batchSize != null ? batchSize : 16;
        SamplingOptions options = SamplingOptions.defaults().withCfgScale(2f).withSteps(8);
        out.printf(Locale.ROOT, "Generator benchmark: preset %s, 32 tokens, codebook 1024, batch %d, CFG 2,"
                + " %d repetitions, %d CPU threads%n", chosen.id(), batch, repetitions,
                Runtime.getRuntime().availableProcessors());
        out.flush();
        GeneratorBenchmark.Result r = GeneratorBenchmark.run(chosen, 32, 1024, batch, options, repetitions);
        out.printf(Locale.ROOT, "| measurement | value |%n| --- | --- |%n");
        out.printf(Locale.ROOT, "| AR sampling with key-value cache | %.1f tokens/s |%n", r.cachedTokensPerSecond());
        out.printf(Locale.ROOT, "| AR sampling, prefix recomputed each step | %.1f tokens/s |%n",
                r.recomputedTokensPerSecond());
        out.printf(Locale.ROOT, "| key-value cache speed-up | %.1fx |%n", r.cacheSpeedup());
        out.printf(Locale.ROOT, "| MaskGIT sampling, %d steps | %.1f images/s |%n", r.maskGitSteps(),
                r.maskGitImagesPerSecond());
        out.flush();
        return 0;
    }

    private int compareWithPytorch(
            PrintWriter out, Preset chosen, NativeTokConfig config, int batch, ImageSet images) {
        TrainingConfig training = TrainingConfig.forPreset(chosen).toBuilder().batchSize(batch).build();
        String interpreter = python != null ? python : PythonProcess.executable();
        out.printf(Locale.ROOT,
                "Java vs PyTorch reference: preset %s, batch %d, %d warm-up and %d timed runs per side,"
                        + " alternating; Python %s%n",
                chosen.id(), batch, PyTorchComparison.WARMUP, repetitions, interpreter);
        out.flush();
        PyTorchComparison.Result result =
                PyTorchComparison.run(config, training, images, repetitions, interpreter, pytorchWorker, out);
        PyTorchComparison.print(result, config, out);
        out.printf(Locale.ROOT, "PyTorch / Java median training step time: %.2f%n", result.stepRatio());
        out.flush();
        return 0;
    }
}
