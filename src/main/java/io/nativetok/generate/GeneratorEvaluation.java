package io.nativetok.generate;

import java.util.Locale;

/**
 * Validation loss of a generator on a token data set.
 *
 * @param step the training step it was measured after
 * @param rows the number of token rows evaluated
 * @param crossEntropy mean cross-entropy in nats per predicted token, every sample with its class
 * @param accuracy fraction of predicted tokens whose most likely id is the target
 */
public record GeneratorEvaluation(long step, int rows, double crossEntropy, double accuracy) {

    /** Returns the cross-entropy in bits per token. */
    public double bitsPerToken() {
        return crossEntropy / Math.log(2);
    }

    /** Returns a one-line summary. */
    public String summary() {
        return String.format(Locale.ROOT, "validation cross-entropy %.4f nats (%.3f bits) per token, accuracy %.1f%%",
                crossEntropy, bitsPerToken(), 100 * accuracy);
    }
}
