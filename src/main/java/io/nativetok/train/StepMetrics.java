package io.nativetok.train;

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
}
