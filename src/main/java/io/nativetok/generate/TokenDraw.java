package io.nativetok.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws ids from rows of logits on the Java side, with temperature and top-k, and applies
 * classifier-free guidance.
 */
final class TokenDraw {

    private TokenDraw() {}

    /**
     * Combines conditional and null-class logits: {@code u + s (c - u)}.
     *
     * @param logits {@code 2B} rows of K values, the B conditional rows first
     * @return B guided rows
     */
    static float[] guide(float[] logits, int batch, int codes, float scale) {
        float[] guided = new float[batch * codes];
        int unconditional = batch * codes;
        for (int i = 0; i < guided.length; i++) {
            float u = logits[unconditional + i];
            guided[i] = u + scale * (logits[i] - u);
        }
        return guided;
    }

    /**
     * Turns one row of logits into the sampling distribution: divided by the temperature, all but
     * the {@code topK} largest set to probability 0 (0 keeps all), softmax. Ids tied with the K-th
     * largest logit are all kept.
     *
     * @return probabilities over the K ids
     */
    static double[] distribution(float[] logits, int offset, int codes, float temperature, int topK) {
        double threshold = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < codes) {
            float[] sorted = Arrays.copyOfRange(logits, offset, offset + codes);
            Arrays.sort(sorted);
            threshold = sorted[codes - topK];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < codes; k++) {
            max = Math.max(max, logits[offset + k]);
        }
        double[] probabilities = new double[codes];
        double sum = 0;
        for (int k = 0; k < codes; k++) {
            float value = logits[offset + k];
            if (value >= threshold) {
                probabilities[k] = Math.exp((value - max) / temperature);
                sum += probabilities[k];
            }
        }
        for (int k = 0; k < codes; k++) {
            probabilities[k] /= sum;
        }
        return probabilities;
    }

    /** Draws an id from a distribution by inverting its cumulative sum. */
    static int draw(double[] probabilities, SplittableRandom random) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int k = 0; k < probabilities.length; k++) {
            if (probabilities[k] > 0) {
                cumulative += probabilities[k];
                last = k;
                if (u < cumulative) {
                    return k;
                }
            }
        }
        return last;
    }
}
