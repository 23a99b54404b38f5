package io.nativetok.metrics;

import io.nativetok.data.ImageSet;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Scores that compare generated (or reconstructed) images with real ones in the feature space of
 * the project's own {@link FeatureNetwork}: "classifier FD" and "classifier IS".
 *
 * <p>They follow FID and the Inception Score but use a small CIFAR-10 classifier in place of
 * Inception-v3, whose weights cannot be obtained here; never compare them with published FID or IS
 * values. Classifier FD is the {@link FrechetDistance} between the penultimate features of the two
 * sets (lower is better). Classifier IS is {@code exp(E_x KL(p(y|x) || p(y)))} over the evaluated
 * set, where p(y) is the set's mean prediction (higher means confident and varied predictions; at
 * most the class count).
 */
public final class ImageScores {

    private ImageScores() {}

    /**
     * The scores of one comparison.
     *
     * @param classifierFd Frechet distance between real and evaluated features
     * @param classifierIs classifier IS of the evaluated images
     * @param realClassifierIs classifier IS of the real images, as the reference value
     * @param realImages number of real images
     * @param evaluatedImages number of evaluated images
     */
    public record Scores(
            double classifierFd, double classifierIs, double realClassifierIs, int realImages, int evaluatedImages) {

        /** Returns the scores as a table with columns {@code metric}, {@code value} and {@code images}. */
        public Table toTable() {
            return Table.create("classifier scores",
                    StringColumn.create("metric", "classifier FD", "classifier IS", "classifier IS (real images)"),
                    DoubleColumn.create("value", classifierFd, classifierIs, realClassifierIs),
                    IntColumn.create("images", evaluatedImages, evaluatedImages, realImages));
        }
    }

    /**
     * Compares {@code evaluated} images with {@code real} ones. Generated or reconstructed images
     * held in a {@code (B, 3, H, W)} array become an {@link ImageSet} with {@code
     * ImageSets.fromArray}, which rounds them to 8-bit pixels as saved images are.
     */
    public static Scores compare(FeatureNetwork network, ImageSet real, ImageSet evaluated) {
        FeatureNetwork.Outputs realOutputs = network.run(real);
        FeatureNetwork.Outputs evaluatedOutputs = network.run(evaluated);
        double distance = FrechetDistance.between(realOutputs.features(), evaluatedOutputs.features());
        return new Scores(
                distance, classifierIs(evaluatedOutputs.probabilities()), classifierIs(realOutputs.probabilities()),
                real.size(), evaluated.size());
    }

    /**
     * Returns {@code exp(mean_x KL(p(y|x) || p(y)))} for rows of class probabilities.
     *
     * @throws IllegalArgumentException for an empty set
     */
    public static double classifierIs(double[][] probabilities) {
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("No predictions: classifier IS needs at least one image.");
        }
        int classes = probabilities[0].length;
        double[] marginal = new double[classes];
        for (double[] row : probabilities) {
            for (int c = 0; c < classes; c++) {
                marginal[c] += row[c] / probabilities.length;
            }
        }
        double divergence = 0;
        for (double[] row : probabilities) {
            for (int c = 0; c < classes; c++) {
                if (row[c] > 0) {
                    divergence += row[c] * (Math.log(row[c]) - Math.log(marginal[c]));
                }
            }
        }
        return Math.exp(divergence / probabilities.length);
    }
}
