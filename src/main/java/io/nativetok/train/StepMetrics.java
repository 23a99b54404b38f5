package io.nativetok.train;

import java.util.List;
import java.util.function.ToDoubleFunction;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * What one tokenizer training step measured.
 *
 * @param step the step number, 1-based
 * @param loss the total loss that was differentiated
 * @param reconstructionLoss mean squared pixel error in the model's [-1, 1] scale
 * @param codebookLoss the quantizer's codebook term
 * @param commitmentLoss the quantizer's commitment term (before its weight beta)
 * @param codebookUsage fraction of codebook entries used in this batch
 * @param perplexity exp(entropy) of this batch's code distribution
 * @param gradientNorm global gradient norm before clipping
 * @param learningRate learning rate used for the update
 * @param imagesPerSecond batch size divided by the step's wall time
 * @param milliseconds wall time of the step
 */
public record StepMetrics(
        long step,
        double loss,
        double reconstructionLoss,
        double codebookLoss,
        double commitmentLoss,
        double codebookUsage,
        double perplexity,
        double gradientNorm,
        double learningRate,
        double imagesPerSecond,
        double milliseconds) {

    /** Returns a one-line summary for logs and progress bars. */
    public String summary() {
        return String.format(
                java.util.Locale.ROOT,
                "loss %.4f rec %.4f usage %.0f%% %.1f img/s",
                loss, reconstructionLoss, 100 * codebookUsage, imagesPerSecond);
    }

    /**
     * Creates a table with one row per step and one column per field, named in snake case: {@code
     * step}, {@code loss}, {@code reconstruction_loss}, {@code codebook_loss}, {@code
     * commitment_loss}, {@code codebook_usage}, {@code perplexity}, {@code gradient_norm}, {@code
     * learning_rate}, {@code images_per_second} and {@code milliseconds}.
     */
    public static Table toTable(String title, List<StepMetrics> steps) {
        return Table.create(title,
                LongColumn.create("step", steps.stream().mapToLong(StepMetrics::step).toArray()),
                column("loss", steps, StepMetrics::loss),
                column("reconstruction_loss", steps, StepMetrics::reconstructionLoss),
                column("codebook_loss", steps, StepMetrics::codebookLoss),
                column("commitment_loss", steps, StepMetrics::commitmentLoss),
                column("codebook_usage", steps, StepMetrics::codebookUsage),
                column("perplexity", steps, StepMetrics::perplexity),
                column("gradient_norm", steps, StepMetrics::gradientNorm),
                column("learning_rate", steps, StepMetrics::learningRate),
                column("images_per_second", steps, StepMetrics::imagesPerSecond),
                column("milliseconds", steps, StepMetrics::milliseconds));
    }

    private static DoubleColumn column(String name, List<StepMetrics> steps, ToDoubleFunction<StepMetrics> field) {
        return DoubleColumn.create(name, steps.stream().mapToDouble(field));
    }
}
