package io.nativetok.generate;

import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends one row per step to {@code metrics.csv} and one per evaluation to {@code
 * evaluations.csv} in a folder. On its first event it drops rows of steps after the resume point
 * (written before a crash and then repeated), so every step appears once.
 */
public final class GeneratorCsvListener implements GeneratorListener {

    private static final Logger logger = LoggerFactory.getLogger(GeneratorCsvListener.class);

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
        trim(steps, STEP_HEADER, lastKept);
        trim(evaluations, EVALUATION_HEADER, lastKept);
    }

    /**
     * Creates the file's folder, or keeps only the complete rows up to step {@code lastKept} of an
     * existing file. A row cut off by a crash mid-write has too few columns and is dropped.
     */
    private static void trim(Path file, String header, long lastKept) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                return;
            }
            int columns = header.split(",").length;
            List<String> kept = new ArrayList<>();
            kept.add(header);
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] fields = line.split(",", -1);
                if (line.isBlank() || line.equals(header)) {
                    continue;
                }
                if (fields.length != columns || !fields[0].matches("\\d+")) {
                    logger.warn("Dropping malformed row from {}, as a crash mid-write leaves: {}", file, line);
                } else if (Long.parseLong(fields[0]) <= lastKept) {
                    kept.add(line);
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new NativeTokException(
                    "Failed to prepare " + file + " for appending: " + e.getMessage()
                            + ". Check that the output folder is writable.", e);
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
