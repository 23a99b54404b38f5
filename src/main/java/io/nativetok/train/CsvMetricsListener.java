package io.nativetok.train;

import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProcessMemory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends step metrics to {@code metrics.csv} and evaluations to {@code evaluations.csv} in a
 * folder. A resumed run appends to the existing files; rows from steps after the resume point
 * (written before a crash and then repeated) are dropped when the file is opened, so every step
 * appears once.
 *
 * <p>Each step row ends with {@code resident_megabytes}: the process's resident memory read between
 * steps, after the step's arrays are freed. Read at this fixed point, it shows whether memory grows
 * over a run. A sample taken at a random moment would also catch the temporary arrays of a step in
 * flight. The value is empty where /proc cannot be read, and in rows written before the column
 * existed.
 */
public final class CsvMetricsListener implements TrainingListener {

    private static final Logger logger = LoggerFactory.getLogger(CsvMetricsListener.class);

    static final String STEP_HEADER =
            "step,loss,reconstruction_loss,codebook_loss,commitment_loss,codebook_usage,perplexity,"
                    + "gradient_norm,learning_rate,images_per_second,milliseconds,resident_megabytes";
    /** The step header before {@code resident_megabytes}. Rows in this layout are kept, padded. */
    private static final String STEP_HEADER_WITHOUT_MEMORY =
            STEP_HEADER.substring(0, STEP_HEADER.lastIndexOf(','));
    static final String EVALUATION_HEADER = "step,images,psnr,ssim,mse,codebook_usage,perplexity";

    private final Path stepFile;
    private final Path evaluationFile;
    private boolean prepared;

    /** Creates a listener writing into {@code folder}. */
    public CsvMetricsListener(Path folder) {
        this.stepFile = folder.resolve("metrics.csv");
        this.evaluationFile = folder.resolve("evaluations.csv");
    }

    @Override
    public void onStep(TokenizerTrainer trainer, StepMetrics m) {
        prepare(m.step() - 1);
        long resident = ProcessMemory.residentBytes();
        append(
                stepFile,
                String.format(
                        Locale.ROOT,
                        "%d,%.6f,%.6f,%.6f,%.6f,%.4f,%.2f,%.4f,%.6g,%.2f,%.1f,%s",
                        m.step(), m.loss(), m.reconstructionLoss(), m.codebookLoss(),
                        m.commitmentLoss(), m.codebookUsage(), m.perplexity(), m.gradientNorm(),
                        m.learningRate(), m.imagesPerSecond(), m.milliseconds(),
                        resident < 0 ? "" : String.format(Locale.ROOT, "%.1f", resident / 1e6)));
    }

    @Override
    public void onEvaluation(TokenizerTrainer trainer, Evaluation e) {
        prepare(e.step() - 1);
        append(
                evaluationFile,
                String.format(
                        Locale.ROOT,
                        "%d,%d,%.4f,%.5f,%.6f,%.4f,%.2f",
                        e.step(), e.images(), e.psnr(), e.ssim(), e.mse(), e.codebookUsage(),
                        e.perplexity()));
    }

    /** Creates the files with headers, or trims rows after {@code lastKeptStep} from a resume. */
    private void prepare(long lastKeptStep) {
        if (prepared) {
            return;
        }
        prepared = true;
        prepareFile(stepFile, STEP_HEADER, STEP_HEADER_WITHOUT_MEMORY, lastKeptStep);
        prepareFile(evaluationFile, EVALUATION_HEADER, EVALUATION_HEADER, lastKeptStep);
    }

    /**
     * Rewrites an existing file with {@code header}, keeping complete rows up to {@code lastKeptStep}.
     * In a file written with {@code olderHeader}, which lacks the header's last column, each row gets
     * that column empty.
     */
    private static void prepareFile(Path file, String header, String olderHeader, long lastKeptStep) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.writeString(file, header + "\n", StandardCharsets.UTF_8);
                return;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean older = !olderHeader.equals(header) && !lines.isEmpty() && lines.get(0).equals(olderHeader);
            StringBuilder kept = new StringBuilder(header).append('\n');
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("step,")) {
                    continue;
                }
                if (older) {
                    line = line + ",";
                }
                long step = stepOf(line, header);
                if (step < 0) {
                    logger.warn("Dropping malformed row from {}, as a crash mid-write leaves: {}", file, line);
                } else if (step <= lastKeptStep) {
                    kept.append(line).append('\n');
                }
            }
            Files.writeString(file, kept.toString(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new NativeTokException(
                    "Failed to prepare metrics file " + file + ": " + e.getMessage()
                            + ". Check that the output folder is writable.",
                    e);
        }
    }

    /** Returns the step of a complete row, or -1 for a row with the wrong column count or no step. */
    private static long stepOf(String line, String header) {
        if (columns(line) != columns(header)) {
            return -1;
        }
        try {
            return Long.parseLong(line.substring(0, line.indexOf(',')));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int columns(String line) {
        return line.split(",", -1).length;
    }

    private static void append(Path file, String line) {
        try (BufferedWriter writer =
                Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writer.write(line);
            writer.write('\n');
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to append to metrics file " + file + ": " + e.getMessage()
                            + ". Check that the output folder is writable and the disk has space.",
                    e);
        }
    }
}
