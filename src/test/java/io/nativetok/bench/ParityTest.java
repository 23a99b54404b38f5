package io.nativetok.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.nativetok.bench.TensorFiles.Tensor;
import io.nativetok.data.Cifar10;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestData;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.Feedback;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.StepMetrics;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares the Java model with the independent PyTorch reference in {@code bench/pytorch} on real
 * CIFAR-10 test images: same weights, same inputs, every stage's output.
 *
 * <p>The reference runs each expert's layers over the whole sequence, as the authors' prototype
 * does; the Java model computes only the query row in an expert's last layer. Agreement therefore
 * also checks that saving.
 *
 * <p>Relative error is {@code max |java - reference| / max |java|} over a stage's output. Token ids
 * must be equal, except at a distance tie: the Java similarities of the two ids differ by no more
 * than {@code 2 * ||e_java - e_reference||} for that token, the most that the difference of the two
 * projections {@code e} can change a similarity gap between two unit-length codebook entries.
 *
 * <p>Needs PyTorch for {@code /usr/bin/python3} (Debian: {@code apt-get install python3-torch}) or
 * the Python named by {@code NATIVETOK_PYTHON}; without it the test fails.
 */
class ParityTest {

    private static final double MAX_RELATIVE_ERROR = 1e-4;
    private static final int IMAGES = 8;
    private static final long SEED = 7;
    private static final Path SCRIPT = Path.of("bench", "pytorch", "parity.py");
    private static final long PYTHON_TIMEOUT_SECONDS = 600;

    private static ImageSet testImages;

    @BeforeAll
    static void requireDataAndPyTorch() {
        testImages = Cifar10.load(TestData.cifar10(), Cifar10.Split.TEST_EXACT);
        PythonProcess.requireTorch(PythonProcess.executable());
    }

    static Stream<Arguments> models() {
        NativeTokConfig cifar = Preset.CIFAR10.toBuilder().seed(SEED).build();
        NativeTokConfig titok = Preset.TINY.toBuilder().encoder(EncoderKind.TITOK).seed(SEED).build();
        NativeTokConfig causal =
                Preset.TINY.toBuilder().encoder(EncoderKind.CAUSAL_MASK).seed(SEED).build();
        NativeTokConfig quantizedFeedback =
                Preset.TINY.toBuilder().mocet(m -> m.feedback(Feedback.QUANTIZED)).seed(SEED).build();
        return Stream.of(
                Arguments.of("cifar10", cifar),
                Arguments.of("tiny-titok", titok),
                Arguments.of("tiny-causal-mask", causal),
                Arguments.of("tiny-quantized-feedback", quantizedFeedback));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void forwardMatchesReference(String name, NativeTokConfig config, @TempDir Path folder) {
        Map<String, Tensor> java;
        Similarities similarities;
        try (NativeTok tokenizer = NativeTok.create(config);
                NDManager scope = tokenizer.manager().newSubManager()) {
            NDArray images = ImageSets.toArray(scope, testImages, IntStream.range(0, IMAGES).toArray());
            java = WeightExport.exportComparison(tokenizer, images, folder);
            similarities = similarities(tokenizer, java, scope);
        }
        PythonProcess.run(folder, List.of(SCRIPT.toString(), folder.toString()), PYTHON_TIMEOUT_SECONDS);
        Map<String, Tensor> reference = TensorFiles.read(folder, "reference");

        Report report = new Report(name);
        if (java.containsKey("x_latent")) {
            report.add("MIT output X_latent", java.get("x_latent"), reference.get("x_latent"));
        }
        String perToken = config.encoder() == EncoderKind.NATIVETOK ? "expert outputs h_i" : "encoder outputs per token";
        report.addPerToken(perToken, java.get("h"), reference.get("h"));
        report.add("projected latents e", java.get("projected"), reference.get("projected"));
        List<String> mismatches = idMismatches(java, reference, similarities);
        boolean idsEqual = mismatches.isEmpty();
        report.add(
                "reconstruction from the Java ids",
                java.get("reconstruction"),
                reference.get("reconstruction_from_java_ids"));
        if (idsEqual) {
            report.add("reconstruction", java.get("reconstruction"), reference.get("reconstruction"));
        }
        report.print(mismatches, similarities.smallestGap());

        for (Map.Entry<String, Double> stage : report.errors.entrySet()) {
            assertTrue(
                    stage.getValue() <= MAX_RELATIVE_ERROR,
                    name + ": " + stage.getKey() + " differs from the PyTorch reference: max relative"
                            + " error " + stage.getValue() + " > " + MAX_RELATIVE_ERROR);
        }
        List<String> realMismatches = mismatches.stream().filter(m -> !m.endsWith("(tie)")).toList();
        assertTrue(
                realMismatches.isEmpty(),
                name + ": token ids differ from the PyTorch reference beyond distance ties: "
                        + realMismatches);
    }

    @Test
    void trainingStepsMatchReference(@TempDir Path folder) throws IOException {
        NativeTokConfig config = Preset.CIFAR10.toBuilder().seed(SEED).build();
        TrainingConfig training =
                TrainingConfig.forPreset(Preset.CIFAR10).toBuilder()
                        .batchSize(IMAGES)
                        .warmupSteps(0)
                        .restartUnusedCodes(0)
                        .steps(100)
                        .build();
        int steps = 3;
        List<StepMetrics> javaSteps = new ArrayList<>();
        try (NativeTok tokenizer = NativeTok.create(config);
                NDManager scope = tokenizer.manager().newSubManager();
                TokenizerTrainer trainer = tokenizer.newTrainer(training)) {
            NDArray images = ImageSets.toArray(scope, testImages, IntStream.range(0, IMAGES).toArray());
            WeightExport.exportModel(tokenizer, folder);
            TensorFiles.write(folder, WeightExport.INPUTS, Map.of("images", Tensor.of(images)));
            for (int i = 0; i < steps; i++) {
                javaSteps.add(trainer.step(images));
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("learning_rates", IntStream.range(0, steps).mapToObj(training::learningRateAt).toList());
        settings.put("beta1", training.beta1());
        settings.put("beta2", training.beta2());
        settings.put("weight_decay", training.weightDecay());
        settings.put("clip_norm", training.clipNorm());
        WeightExport.writeJson(folder.resolve("training.json"), settings);

        PythonProcess.run(
                folder, List.of(SCRIPT.toString(), folder.toString(), "--train"), PYTHON_TIMEOUT_SECONDS);
        JsonArray referenceSteps =
                new Gson().fromJson(
                                Files.readString(folder.resolve("reference-training.json"), StandardCharsets.UTF_8),
                                JsonObject.class)
                        .getAsJsonArray("steps");
        assertEquals(steps, referenceSteps.size(), "training steps in reference-training.json");

        for (int i = 0; i < steps; i++) {
            StepMetrics java = javaSteps.get(i);
            JsonObject reference = referenceSteps.get(i).getAsJsonObject();
            Map<String, double[]> values = new LinkedHashMap<>();
            values.put("loss", new double[] {java.loss(), reference.get("loss").getAsDouble()});
            values.put("reconstruction", new double[] {java.reconstructionLoss(), reference.get("reconstruction").getAsDouble()});
            values.put("codebook", new double[] {java.codebookLoss(), reference.get("codebook").getAsDouble()});
            values.put("commitment", new double[] {java.commitmentLoss(), reference.get("commitment").getAsDouble()});
            values.put("gradient norm", new double[] {java.gradientNorm(), reference.get("gradient_norm").getAsDouble()});
            for (Map.Entry<String, double[]> value : values.entrySet()) {
                double javaValue = value.getValue()[0];
                double referenceValue = value.getValue()[1];
                double error = Math.abs(javaValue - referenceValue) / Math.abs(javaValue);
                System.out.printf(
                        Locale.ROOT, "training step %d %-15s java %.8f reference %.8f relative error %.2e%n",
                        i + 1, value.getKey(), javaValue, referenceValue, error);
                assertTrue(
                        error <= MAX_RELATIVE_ERROR,
                        "training step " + (i + 1) + " " + value.getKey() + ": Java " + javaValue
                                + ", reference " + referenceValue + ", relative error " + error);
            }
        }
    }

    /**
     * Java's cosine similarities of each token's projection to each codebook entry.
     *
     * @param values {@code (B * L, K)} row-major
     * @param codebookSize K
     * @param smallestGap the smallest gap between a token's best and second-best similarity
     */
    private record Similarities(float[] values, int codebookSize, double smallestGap) {}

    private static Similarities similarities(
            NativeTok tokenizer, Map<String, Tensor> java, NDManager scope) {
        Tensor projected = java.get("projected");
        NDArray e = scope.create(projected.floats(), projected.djlShape());
        NDArray codebook = tokenizer.quantizer().normalizedCodebook(tokenizer.parameterStore(), e, false);
        float[] values = e.matMul(codebook.transpose()).toFloatArray();
        int codebookSize = tokenizer.codebookSize();
        double smallest = Double.POSITIVE_INFINITY;
        for (int base = 0; base < values.length; base += codebookSize) {
            double best = Double.NEGATIVE_INFINITY;
            double second = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < codebookSize; k++) {
                double s = values[base + k];
                if (s > best) {
                    second = best;
                    best = s;
                } else if (s > second) {
                    second = s;
                }
            }
            smallest = Math.min(smallest, best - second);
        }
        return new Similarities(values, codebookSize, smallest);
    }

    /**
     * Lists the tokens whose ids differ, each marked {@code (tie)} when the Java similarities of the
     * two ids are closer than the projections' difference can explain.
     */
    private static List<String> idMismatches(
            Map<String, Tensor> java, Map<String, Tensor> reference, Similarities similarities) {
        long[] javaIds = java.get("ids").longs();
        long[] referenceIds = reference.get("ids").longs();
        float[] javaE = java.get("projected").floats();
        float[] referenceE = reference.get("projected").floats();
        int tokens = (int) java.get("ids").shape()[1];
        int codeDim = (int) java.get("projected").shape()[2];
        int codebookSize = similarities.codebookSize();
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < javaIds.length; i++) {
            if (javaIds[i] == referenceIds[i]) {
                continue;
            }
            double distance = 0;
            for (int c = 0; c < codeDim; c++) {
                double d = javaE[i * codeDim + c] - referenceE[i * codeDim + c];
                distance += d * d;
            }
            double allowed = 2 * Math.sqrt(distance);
            double gap =
                    similarities.values()[i * codebookSize + (int) javaIds[i]]
                            - similarities.values()[i * codebookSize + (int) referenceIds[i]];
            String where = "image " + i / tokens + " token " + i % tokens;
            mismatches.add(
                    String.format(
                            Locale.ROOT, "%s: java id %d, reference id %d, similarity gap %.3e, allowed %.3e %s",
                            where, javaIds[i], referenceIds[i], gap, allowed, gap <= allowed ? "(tie)" : "(not a tie)"));
        }
        return mismatches;
    }

    /** Maximum relative errors of the compared stages, printed as a table. */
    private static final class Report {
        private final String model;
        private final Map<String, Double> errors = new LinkedHashMap<>();
        private String worstToken = "";
        private String perTokenStage = "";

        Report(String model) {
            this.model = model;
        }

        void add(String stage, Tensor java, Tensor reference) {
            assertTrue(reference != null, model + ": the reference wrote no output for " + stage);
            assertEquals(
                    java.djlShape(), reference.djlShape(), model + ": shape of " + stage);
            errors.put(stage, relativeError(java.floats(), reference.floats(), 0, java.size()));
        }

        /** Adds the worst of the per-token errors of a (B, L, D) output, e.g. each expert's h_i. */
        void addPerToken(String stage, Tensor java, Tensor reference) {
            assertEquals(java.djlShape(), reference.djlShape(), model + ": shape of " + stage);
            int batch = (int) java.shape()[0];
            int tokens = (int) java.shape()[1];
            int width = (int) java.shape()[2];
            double worst = 0;
            for (int l = 0; l < tokens; l++) {
                double maxDifference = 0;
                double maxValue = 0;
                for (int b = 0; b < batch; b++) {
                    int offset = (b * tokens + l) * width;
                    for (int d = 0; d < width; d++) {
                        maxDifference = Math.max(maxDifference,
                                Math.abs(java.floats()[offset + d] - reference.floats()[offset + d]));
                        maxValue = Math.max(maxValue, Math.abs(java.floats()[offset + d]));
                    }
                }
                double error = maxDifference / maxValue;
                if (error >= worst) {
                    worst = error;
                    worstToken = " (worst: token " + l + ")";
                }
            }
            errors.put(stage, worst);
            perTokenStage = stage;
        }

        void print(List<String> mismatches, double smallestGap) {
            System.out.println("Parity of " + model + " with the PyTorch reference:");
            errors.forEach((stage, error) -> System.out.printf(
                    Locale.ROOT, "  %-36s max relative error %.2e%s%n",
                    stage, error, stage.equals(perTokenStage) ? worstToken : ""));
            System.out.printf(
                    Locale.ROOT, "  token ids: %d differ; smallest best-to-second similarity gap %.3e%n",
                    mismatches.size(), smallestGap);
            mismatches.forEach(m -> System.out.println("    " + m));
        }

        private static double relativeError(float[] java, float[] reference, int from, int to) {
            double maxDifference = 0;
            double maxValue = 0;
            for (int i = from; i < to; i++) {
                maxDifference = Math.max(maxDifference, Math.abs(java[i] - reference[i]));
                maxValue = Math.max(maxValue, Math.abs(java[i]));
            }
            return maxDifference / maxValue;
        }
    }
}
