package io.nativetok.generate;

import java.util.Locale;

/**
 * Measurements of one generator training step.
 *
 * @param step the step number, 1-based
 * @param loss mean cross-entropy in nats over the predicted tokens (all L for the autoregressive
 *     generator, the masked ones for MaskGIT)
 * @param accuracy fraction of predicted tokens whose most likely id is the target
 * @param tokensPerSecond predicted tokens divided by the step's wall time
 * @param gradientNorm global gradient norm before clipping
 * @param learningRate learning rate used for the update
 * @param milliseconds wall time of the step
 */
public record GeneratorStepMetrics(
        long step,
        double loss,
        double accuracy,
        double tokensPerSecond,
        double gradientNorm,
        double learningRate,
        double milliseconds) {

    /** Returns a one-line summary for logs and progress bars. */
    public String summary() {
        return String.format(Locale.ROOT, "loss %.4f acc %.1f%% %.0f tok/s", loss, 100 * accuracy, tokensPerSecond);
    }
}
