package io.nativetok.bench;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonSyntaxException;
import io.nativetok.bench.TensorFiles.Tensor;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.ModelFlops;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.ParameterCounts;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProcessMemory;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * A/B benchmark of the Java model against the PyTorch reference ({@code bench/pytorch}), same
 * weights, same batch of real images, on the same machine at the same time.
 *
 * <p>The Java side runs in this JVM and the reference in a Python process that stays alive and
 * takes requests on stdin ({@code bench_worker.py}). Each measurement alternates the two sides, A B
 * A B, after warm-up, so that load from other processes hits both alike. Each side times its own
 * work, without the request's round trip. The reference's training step is the same loss and
 * AdamW update; its model runs every expert layer over the whole sequence, as the authors'
 * prototype does, so it computes more FLOPs than the Java model, which counts only the query row
 * in an expert's last layer.
 */
public final class PyTorchComparison {

    /** Warm-up runs of each measurement on each side before timing. */
    public static final int WARMUP = 2;

    private static final int MATMUL_SIZE = 2048;
    /** Below this fraction of the Java side's matmul rate, the reference's BLAS is suspect. */
    private static final double SLOW_BLAS_FRACTION = 0.25;
    private static final Gson GSON = new Gson();

    private PyTorchComparison() {}

    /**
     * Medians of one side.
     *
     * @param stepMillis median training step time
     * @param encodeMillis median time to encode the batch into token ids
     * @param decodeMillis median time to decode the batch's token ids into images
     * @param matmulMillis median time of one 2048 x 2048 float32 matrix product
     * @param forwardFlopsPerImage the side's own model FLOPs of one forward pass per image
     * @param peakResidentBytes the process's peak resident memory (VmHWM) at the end, or -1
     * @param threads intra-op threads of the side's libtorch
     * @param version the side's library versions
     */
    public record Side(
            double stepMillis,
            double encodeMillis,
            double decodeMillis,
            double matmulMillis,
            double forwardFlopsPerImage,
            long peakResidentBytes,
            int threads,
            String version) {

        /** Returns the training FLOP rate in GFLOP/s, counting {@code forwardFlopsPerImage}. */
        public double stepGflopPerSecond(int batchSize) {
            return stepGflopPerSecond(batchSize, forwardFlopsPerImage);
        }

        /** Returns the training FLOP rate in GFLOP/s for a model of {@code forwardFlops} per image. */
        public double stepGflopPerSecond(int batchSize, double forwardFlops) {
            return 3 * forwardFlops * batchSize / stepMillis / 1e6;
        }

        /** Returns the 2048 x 2048 matrix product's rate in GFLOP/s. */
        public double matmulGflopPerSecond() {
            return 2.0 * MATMUL_SIZE * MATMUL_SIZE * MATMUL_SIZE / matmulMillis / 1e6;
        }
    }

    /**
     * The result of a comparison.
     *
     * @param batchSize images per step, encode and decode call
     * @param repetitions timed runs of each measurement on each side
     * @param java the Java model in this JVM
     * @param pytorch the PyTorch reference
     */
    public record Result(int batchSize, int repetitions, Side java, Side pytorch) {

        /** Returns the reference's median step time over the Java model's: above 1, Java is faster. */
        public double stepRatio() {
            return pytorch.stepMillis() / java.stepMillis();
        }
    }

    /**
     * Runs the comparison.
     *
     * @param config the model; the Java FLOP count assumes a NativeTok or baseline configuration
     * @param training AdamW settings of both sides; its batch size is used
     * @param images real images of the configuration's size, at least a batch
     * @param repetitions timed runs of each measurement on each side, after {@link #WARMUP}
     * @param python the Python interpreter with PyTorch
     * @param worker the path of {@code bench_worker.py}
     * @param progress receives one line per finished measurement
     * @throws IllegalArgumentException for a batch size or repetition count out of range, or a batch
     *     that does not fit in the available memory by {@link #estimateStepBytes}
     * @throws NativeTokException when the reference fails or runs out of memory
     */
    public static Result run(
            NativeTokConfig config,
            TrainingConfig training,
            ImageSet images,
            int repetitions,
            String python,
            Path worker,
            PrintWriter progress) {
        int batchSize = training.batchSize();
        checkOptions(config, batchSize, images.size(), repetitions);
        Worker.checkAvailable(python, worker);
        Path folder = createFolder();
        try (NativeTok tokenizer = NativeTok.create(config);
                TokenizerTrainer trainer = tokenizer.newTrainer(training);
                NDManager manager = tokenizer.manager().newSubManager()) {
            NDArray batch = ImageSets.toArray(manager, images, IntStream.range(0, batchSize).toArray());
            WeightExport.exportModel(tokenizer, folder);
            TensorFiles.write(folder, WeightExport.INPUTS, Map.of("images", Tensor.of(batch)));
            writeTrainingSettings(folder, training);
            int[][] ids = tokenizer.encode(batch);
            try (Worker reference = Worker.start(python, worker, folder)) {
                Measurement measure = new Measurement(repetitions, progress);
                double[] step =
                        measure.alternate(
                                "training step",
                                () -> time(() -> trainer.step(batch)),
                                () -> reference.timed(stepRequest(training, trainer.stepCount())));
                double[] encode =
                        measure.alternate(
                                "encode",
                                () -> time(() -> tokenizer.encode(batch)),
                                () -> reference.timed(request("encode")));
                double[] decode =
                        measure.alternate(
                                "decode",
                                () -> time(() -> tokenizer.decode(ids, manager).close()),
                                () -> reference.timed(request("decode")));
                double[] matmul =
                        measure.alternate(
                                "2048 x 2048 matmul",
                                PyTorchComparison::javaMatmulMillis,
                                () -> reference.timed(request("matmul")));
                Side java =
                        new Side(
                                step[0], encode[0], decode[0], matmul[0], ModelFlops.forward(config),
                                ProcessMemory.peakResidentBytes(), JniUtils.getNumThreads(),
                                "DJL " + Engine.getDjlVersion() + ", libtorch "
                                        + Engine.getInstance().getVersion());
                Side pytorch =
                        new Side(
                                step[1], encode[1], decode[1], matmul[1], reference.forwardFlopsPerImage,
                                reference.peakResidentBytes(), reference.threads,
                                "PyTorch " + reference.version);
                return new Result(batchSize, repetitions, java, pytorch);
            }
        } catch (EngineException e) {
            throw outOfMemoryOr(e, batchSize);
        } finally {
            deleteFolder(folder);
        }
    }

    private static void checkOptions(NativeTokConfig config, int batchSize, int available, int repetitions) {
        if (repetitions < 1) {
            throw new IllegalArgumentException(
                    "Invalid repetitions " + repetitions + ": expected at least 1 timed run per side.");
        }
        if (batchSize < 1 || batchSize > available) {
            throw new IllegalArgumentException(
                    "Invalid batch size " + batchSize + ": expected 1 to " + available
                            + " (the number of images available).");
        }
        long needed = estimateStepBytes(config, batchSize, false) + estimateStepBytes(config, batchSize, true);
        long free = ProcessMemory.availableBytes();
        if (free > 0 && needed > free) {
            int fitting = batchSize;
            while (fitting > 1
                    && estimateStepBytes(config, fitting, false) + estimateStepBytes(config, fitting, true) > free) {
                fitting /= 2;
            }
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "Batch size %d does not fit in memory: the Java and PyTorch training steps"
                                    + " need an estimated %.1f GiB together, but %.1f GiB is available"
                                    + " (MemAvailable in /proc/meminfo). Use a smaller --batch-size,"
                                    + " e.g. %d.",
                            batchSize, needed / GIB, free / GIB, fitting));
        }
    }

    private static final double GIB = 1024.0 * 1024 * 1024;
    private static final double LIBRARY_BYTES = 0.5 * GIB;

    /**
     * Estimates the peak memory of a process that runs training steps: a fixed 0.5 GiB for the
     * libraries, then parameters, gradients and AdamW moments, then the float32 activations that
     * autograd keeps, plus a quarter for the backward pass's temporaries.
     *
     * <p>Per transformer layer of width D, MLP ratio r, H heads, T key rows and Q query rows, it
     * counts {@code 10 Q D + 2 r Q D + 4 T D} values for the projections, norms and MLP and {@code 2 H
     * Q T} for the attention weights.
     *
     * <p>NOTE: an estimate. For the CIFAR10 preset at batches 8 and 64 on one machine it was 0.9 to
     * 1.4 times the measured peak resident memory of the two processes (docs/benchmarks.md).
     *
     * @param fullExpertSequences true for the reference, whose expert layers all cover the whole
     *     sequence; false for the Java model, whose last expert layer computes only the query row
     */
    public static long estimateStepBytes(NativeTokConfig config, int batchSize, boolean fullExpertSequences) {
        int patches = config.patchCount();
        int tokens = config.tokens();
        double values = 0;
        if (config.encoder() == EncoderKind.NATIVETOK) {
            NativeTokConfig.Transformer mit = config.mit();
            values += mit.depth() * layerValues(mit.width(), mit.mlpRatio(), mit.heads(), patches + 1, patches + 1);
            NativeTokConfig.Experts experts = config.mocet();
            for (int i = 0; i < tokens; i++) {
                int length = patches + 1 + i + 1;
                int lastQueries = fullExpertSequences ? length : 1;
                values += (experts.depth() - 1)
                        * layerValues(experts.width(), experts.mlpRatio(), experts.heads(), length, length);
                values += layerValues(experts.width(), experts.mlpRatio(), experts.heads(), length, lastQueries);
            }
        } else {
            NativeTokConfig.Transformer baseline = config.baseline();
            int length = patches + 1 + tokens;
            values += baseline.depth()
                    * layerValues(baseline.width(), baseline.mlpRatio(), baseline.heads(), length, length);
        }
        NativeTokConfig.Transformer decoder = config.decoder();
        int decoderLength = patches + tokens;
        values += decoder.depth()
                * layerValues(decoder.width(), decoder.mlpRatio(), decoder.heads(), decoderLength, decoderLength);
        values += (double) tokens * config.quantizer().codebookSize() * 2; // similarities and one-hot ids
        double activationBytes = 1.25 * 4 * values * batchSize;
        long parameters = ParameterCounts.of(config).get("total");
        double parameterBytes = 4 * 4 * (double) parameters; // weights, gradients, two moments
        return (long) (LIBRARY_BYTES + activationBytes + parameterBytes);
    }

    private static double layerValues(int width, int mlpRatio, int heads, int keys, int queries) {
        double d = width;
        return 10 * queries * d + 2 * mlpRatio * queries * d + 4 * keys * d + 2.0 * heads * queries * keys;
    }

    private static NativeTokException outOfMemoryOr(EngineException e, int batchSize) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("not enough memory") || message.contains("out of memory")) {
            return new NativeTokException(
                    "The Java model ran out of memory at batch size " + batchSize
                            + ". Use a smaller --batch-size.", e);
        }
        return new NativeTokException("The Java benchmark failed: " + message, e);
    }

    private static double javaMatmulMillis() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(MATMUL_SIZE, MATMUL_SIZE);
            NDArray a = manager.randomNormal(shape);
            NDArray b = manager.randomNormal(shape);
            return time(() -> a.matMul(b).getFloat(0, 0));
        }
    }

    private static double time(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static JsonObject request(String op) {
        JsonObject request = new JsonObject();
        request.addProperty("op", op);
        return request;
    }

    private static JsonObject stepRequest(TrainingConfig training, long completedSteps) {
        JsonObject request = request("step");
        request.addProperty("learning_rate", training.learningRateAt(completedSteps));
        return request;
    }

    private static void writeTrainingSettings(Path folder, TrainingConfig training) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("beta1", training.beta1());
        settings.put("beta2", training.beta2());
        settings.put("weight_decay", training.weightDecay());
        settings.put("clip_norm", training.clipNorm());
        WeightExport.writeJson(folder.resolve("training.json"), settings);
    }

    private static Path createFolder() {
        try {
            return Files.createTempDirectory("nativetok-bench-");
        } catch (IOException e) {
            throw new NativeTokException("Failed to create a temporary folder: " + e.getMessage(), e);
        }
    }

    private static void deleteFolder(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary folder is harmless.
        }
    }

    /** Runs each measurement A B A B and keeps the timings. */
    private static final class Measurement {
        private final int repetitions;
        private final PrintWriter progress;

        Measurement(int repetitions, PrintWriter progress) {
            this.repetitions = repetitions;
            this.progress = progress;
        }

        /** Returns the medians {java, reference} in milliseconds. */
        double[] alternate(String name, Supplier<Double> java, Supplier<Double> reference) {
            for (int i = 0; i < WARMUP; i++) {
                java.get();
                reference.get();
            }
            double[] javaTimes = new double[repetitions];
            double[] referenceTimes = new double[repetitions];
            for (int i = 0; i < repetitions; i++) {
                javaTimes[i] = java.get();
                referenceTimes[i] = reference.get();
            }
            double[] medians = {median(javaTimes), median(referenceTimes)};
            progress.printf(
                    Locale.ROOT, "%s: Java median %.1f ms, PyTorch median %.1f ms (%d runs each)%n",
                    name, medians[0], medians[1], repetitions);
            progress.flush();
            return medians;
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The Python side: a {@code bench_worker.py} process that replies to one request per line. */
    private static final class Worker implements AutoCloseable {
        private final Process process;
        private final BufferedWriter requests;
        private final BufferedReader replies;
        private final Path log;
        final String version;
        final int threads;
        final double forwardFlopsPerImage;

        private Worker(Process process, Path log) {
            this.process = process;
            this.log = log;
            this.requests =
                    new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            this.replies =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            JsonObject ready = read("start");
            version = ready.get("torch_version").getAsString();
            threads = ready.get("threads").getAsInt();
            forwardFlopsPerImage = ready.get("forward_flops_per_image").getAsDouble();
        }

        /** Throws when the worker script is missing or {@code python} cannot import torch. */
        static void checkAvailable(String python, Path script) {
            if (!Files.isRegularFile(script)) {
                throw new NativeTokException(
                        "PyTorch benchmark worker not found: " + script + ". Run from the repository"
                                + " root, or pass --pytorch-worker with the path of"
                                + " bench/pytorch/bench_worker.py.");
            }
            PythonProcess.requireTorch(python);
        }

        static Worker start(String python, Path script, Path folder) {
            Path log = folder.resolve("worker-stderr.txt");
            List<String> command = new ArrayList<>(List.of(python, script.toString(), folder.toString()));
            try {
                Process process =
                        new ProcessBuilder(command).redirectError(log.toFile()).start();
                return new Worker(process, log);
            } catch (IOException e) {
                throw new NativeTokException(
                        "Failed to start " + String.join(" ", command) + ": " + e.getMessage(), e);
            }
        }

        double timed(JsonObject request) {
            send(request);
            return read(request.get("op").getAsString()).get("millis").getAsDouble();
        }

        long peakResidentBytes() {
            send(request("memory"));
            return read("memory").get("peak_resident_bytes").getAsLong();
        }

        private void send(JsonObject request) {
            try {
                requests.write(GSON.toJson(request));
                requests.newLine();
                requests.flush();
            } catch (IOException e) {
                throw failure("sending the " + request.get("op").getAsString() + " request", e);
            }
        }

        private JsonObject read(String op) {
            String line;
            try {
                line = replies.readLine();
            } catch (IOException e) {
                throw failure("reading the " + op + " reply", e);
            }
            if (line == null) {
                throw failure("waiting for the " + op + " reply", null);
            }
            JsonObject reply;
            try {
                reply = GSON.fromJson(line, JsonObject.class);
            } catch (JsonSyntaxException e) {
                throw failure("parsing the " + op + " reply '" + line + "'", e);
            }
            if (!reply.get("ok").getAsBoolean()) {
                String error = reply.get("error").getAsString();
                String advice =
                        error.contains("not enough memory") || error.contains("MemoryError")
                                ? " The reference ran out of memory: use a smaller --batch-size."
                                : "";
                throw new NativeTokException("The PyTorch reference failed at " + op + ": " + error + "." + advice);
            }
            return reply;
        }

        private NativeTokException failure(String during, Exception cause) {
            String status = "";
            try {
                if (process.waitFor(5, TimeUnit.SECONDS)) {
                    int exit = process.exitValue();
                    status = " It exited with status " + exit
                            + (exit == 137 || exit == -9 ? " (killed, most likely by the kernel for lack of memory;"
                                    + " use a smaller --batch-size)" : "") + ".";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String stderr = "";
            try {
                String text = Files.readString(log, StandardCharsets.UTF_8).strip();
                stderr = text.isEmpty() ? "" : "\nIts error output ends with:\n"
                        + (text.length() > 2000 ? text.substring(text.length() - 2000) : text);
            } catch (IOException e) {
                stderr = "";
            }
            return new NativeTokException(
                    "The PyTorch benchmark worker failed while " + during + "." + status + stderr, cause);
        }

        @Override
        public void close() {
            try {
                send(request("quit"));
            } catch (NativeTokException e) {
                // The worker is gone already; destroying it below is enough.
            }
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Prints the result as a Markdown table. */
    public static void print(Result r, NativeTokConfig config, PrintWriter out) {
        Side j = r.java();
        Side p = r.pytorch();
        int batch = r.batchSize();
        double javaFlops = ModelFlops.forward(config);
        out.printf(Locale.ROOT, "| measurement | Java (%s) | PyTorch reference (%s) | PyTorch / Java |%n", j.version(), p.version());
        out.println("| --- | --- | --- | --- |");
        row(out, "training step, median", "%.0f ms", j.stepMillis(), p.stepMillis());
        row(out, "training images/s", "%.1f", batch * 1000 / j.stepMillis(), batch * 1000 / p.stepMillis());
        row(out, "encode images/s", "%.1f", batch * 1000 / j.encodeMillis(), batch * 1000 / p.encodeMillis());
        row(out, "decode images/s", "%.1f", batch * 1000 / j.decodeMillis(), batch * 1000 / p.decodeMillis());
        row(out, "model GFLOP per training step and image (own count)", "%.3f",
                3 * j.forwardFlopsPerImage() / 1e9, 3 * p.forwardFlopsPerImage() / 1e9);
        row(out, "training GFLOP/s, own FLOP count", "%.1f",
                j.stepGflopPerSecond(batch), p.stepGflopPerSecond(batch));
        row(out, "training GFLOP/s, Java model's FLOP count", "%.1f",
                j.stepGflopPerSecond(batch, javaFlops), p.stepGflopPerSecond(batch, javaFlops));
        row(out, "2048 x 2048 matmul GFLOP/s, same run", "%.1f", j.matmulGflopPerSecond(), p.matmulGflopPerSecond());
        out.printf(Locale.ROOT, "| training FLOP rate / matmul rate (own count) | %.0f%% | %.0f%% | |%n",
                100 * j.stepGflopPerSecond(batch) / j.matmulGflopPerSecond(),
                100 * p.stepGflopPerSecond(batch) / p.matmulGflopPerSecond());
        out.printf(Locale.ROOT, "| peak resident memory of the process | %s | %s | |%n",
                gib(j.peakResidentBytes()), gib(p.peakResidentBytes()));
        out.printf(Locale.ROOT, "| intra-op threads | %d | %d | |%n", j.threads(), p.threads());
        warnIfSlowBlas(j, p, out);
        out.flush();
    }

    /**
     * Debian's {@code python3-torch} calls whichever BLAS {@code update-alternatives} selects; on a
     * machine with no optimized BLAS installed that is the reference BLAS, which made the reference's
     * matmul and training step more than 20 times slower than with OpenBLAS.
     */
    private static void warnIfSlowBlas(Side j, Side p, PrintWriter out) {
        if (p.matmulGflopPerSecond() < SLOW_BLAS_FRACTION * j.matmulGflopPerSecond()) {
            out.printf(Locale.ROOT,
                    "warning: the PyTorch reference's 2048 x 2048 matmul ran at %.1f GFLOP/s, %.2f times the"
                            + " Java side's %.1f GFLOP/s, so this comparison does not measure the model code. Its"
                            + " BLAS is probably the slow reference BLAS: on Debian, run `apt-get install"
                            + " libopenblas0-pthread` and run the benchmark again.%n",
                    p.matmulGflopPerSecond(), p.matmulGflopPerSecond() / j.matmulGflopPerSecond(),
                    j.matmulGflopPerSecond());
        }
    }

    private static void row(PrintWriter out, String name, String format, double java, double pytorch) {
        out.printf(Locale.ROOT, "| %s | " + format + " | " + format + " | %.2f |%n", name, java, pytorch, pytorch / java);
    }

    private static String gib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
    }
}
