package io.nativetok.generate;

import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends one row per step to {@code metrics.csv} and one per evaluation to {@code
 * evaluations.csv} in a folder. On its first event it drops rows of steps after the resume point
 * (written before a crash and then repeated), so every step appears once.
 */
public final class GeneratorCsvListener implements GeneratorListener {

    private static final String STEP_HEADER =
            "step,loss,accuracy,tokens_per_second,gradient_norm,learning_rate,milliseconds";
    private static final String EVALUATION_HEADER = "step,rows,cross_entropy_nats,bits_per_token,accuracy";

    private final Path steps;
    private final Path evaluations;
    private boolean prepared;

    /** Creates a listener writing into {@code folder}. */
    public GeneratorCsvListener(Path folder) {
        this.steps = folder.resolve("metrics.csv");
        this.evaluations = folder.resolve("evaluations.csv");
    }

    @Override
    public void onStep(GeneratorTrainer trainer, GeneratorStepMetrics m) {
        prepare(m.step() - 1);
        append(steps, STEP_HEADER, String.format(Locale.ROOT, "%d,%.6f,%.6f,%.1f,%.6f,%.8f,%.1f",
                m.step(), m.loss(), m.accuracy(), m.tokensPerSecond(), m.gradientNorm(), m.learningRate(),
                m.milliseconds()));
    }

    @Override
    public void onEvaluation(GeneratorTrainer trainer, GeneratorEvaluation e) {
        prepare(e.step());
        append(evaluations, EVALUATION_HEADER, String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f",
                e.step(), e.rows(), e.crossEntropy(), e.bitsPerToken(), e.accuracy()));
    }

    private void prepare(long lastKept) {
        if (prepared) {
            return;
        }
        prepared = true;
        for (Path file : java.util.List.of(steps, evaluations)) {
            try {
                if (Files.exists(file)) {
                    java.util.List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                    java.util.List<String> kept = new java.util.ArrayList<>();
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i);
                        if (i == 0 || Long.parseLong(line.substring(0, line.indexOf(','))) <= lastKept) {
                            kept.add(line);
                        }
                    }
                    Files.write(file, kept, StandardCharsets.UTF_8);
                }
            } catch (IOException | RuntimeException e) {
                throw new NativeTokException(
                        "Failed to read " + file + " before appending: " + e.getMessage()
                                + ". Delete the file or start the run over with --force.", e);
            }
        }
    }

    private static void append(Path file, String header, String row) {
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, header + "\n", StandardCharsets.UTF_8);
            }
            Files.writeString(file, row + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to write " + file + ": " + e.getMessage() + ". Check that the output folder is writable.", e);
        }
    }
}
