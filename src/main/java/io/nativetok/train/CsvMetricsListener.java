package io.nativetok.train;

import io.nativetok.util.ProcessMemory;
import io.nativetok.util.StepCsv;
import java.nio.file.Path;
import java.util.Locale;

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
        StepCsv.append(
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
        StepCsv.append(
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
        StepCsv.prepare(stepFile, STEP_HEADER, STEP_HEADER_WITHOUT_MEMORY, lastKeptStep);
        StepCsv.prepare(evaluationFile, EVALUATION_HEADER, EVALUATION_HEADER, lastKeptStep);
    }
}
