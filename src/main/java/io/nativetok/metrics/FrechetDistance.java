package io.nativetok.metrics;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The Frechet (2-Wasserstein) distance between two Gaussians fitted to feature sets, the formula
 * behind FID: {@code ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))}.
 *
 * <p>The trace of the matrix square root is computed from symmetric matrices only: with {@code R =
 * S1^(1/2)} (symmetric eigen-decomposition, negative eigenvalues from rounding clipped to 0), the
 * matrix {@code R S2 R} is symmetric positive semi-definite and similar to {@code S1 S2}, so {@code
 * tr((S1 S2)^(1/2))} is the sum of the square roots of its eigenvalues. This avoids the complex
 * results and instability of a general (non-symmetric) matrix square root.
 */
public final class FrechetDistance {

    private FrechetDistance() {}

    /**
     * Mean and covariance of a feature set.
     *
     * @param mean the D means
     * @param covariance the D x D sample covariance (divided by N - 1)
     */
    public record Gaussian(double[] mean, double[][] covariance) {

        /**
         * Fits a Gaussian to N feature vectors of dimension D.
         *
         * @throws IllegalArgumentException with fewer than 2 vectors or rows of different lengths
         */
        public static Gaussian fit(double[][] features) {
            int count = features.length;
            if (count < 2) {
                throw new IllegalArgumentException(
                        "Invalid feature set of " + count + " vectors: a covariance needs at least 2.");
            }
            int dimension = features[0].length;
            double[] mean = new double[dimension];
            for (int n = 0; n < count; n++) {
                if (features[n].length != dimension) {
                    throw new IllegalArgumentException(
                            "Invalid feature vector " + n + " of length " + features[n].length + ": expected "
                                    + dimension + " like vector 0.");
                }
                for (int d = 0; d < dimension; d++) {
                    mean[d] += features[n][d];
                }
            }
            for (int d = 0; d < dimension; d++) {
                mean[d] /= count;
            }
            double[][] covariance = new double[dimension][dimension];
            double[] centered = new double[dimension];
            for (double[] row : features) {
                for (int d = 0; d < dimension; d++) {
                    centered[d] = row[d] - mean[d];
                }
                for (int i = 0; i < dimension; i++) {
                    for (int j = i; j < dimension; j++) {
                        covariance[i][j] += centered[i] * centered[j];
                    }
                }
            }
            for (int i = 0; i < dimension; i++) {
                for (int j = i; j < dimension; j++) {
                    covariance[i][j] /= count - 1;
                    covariance[j][i] = covariance[i][j];
                }
            }
            return new Gaussian(mean, covariance);
        }
    }

    /** Returns the Frechet distance between Gaussians fitted to two feature sets of one dimension. */
    public static double between(double[][] first, double[][] second) {
        return between(Gaussian.fit(first), Gaussian.fit(second));
    }

    /**
     * Returns the Frechet distance between two Gaussians of one dimension.
     *
     * @throws IllegalArgumentException when the dimensions differ
     */
    public static double between(Gaussian first, Gaussian second) {
        int dimension = first.mean().length;
        if (second.mean().length != dimension) {
            throw new IllegalArgumentException(
                    "Invalid feature dimensions " + dimension + " and " + second.mean().length
                            + ": both sets need features of the same network.");
        }
        double meanTerm = 0;
        for (int d = 0; d < dimension; d++) {
            double difference = first.mean()[d] - second.mean()[d];
            meanTerm += difference * difference;
        }
        RealMatrix s1 = new Array2DRowRealMatrix(first.covariance(), false);
        RealMatrix s2 = new Array2DRowRealMatrix(second.covariance(), false);
        RealMatrix root = symmetricSquareRoot(s1);
        RealMatrix product = symmetrized(root.multiply(s2).multiply(root));
        double traceOfRoot = 0;
        for (double eigenvalue : new EigenDecomposition(product).getRealEigenvalues()) {
            traceOfRoot += Math.sqrt(Math.max(0, eigenvalue));
        }
        return meanTerm + s1.getTrace() + s2.getTrace() - 2 * traceOfRoot;
    }

    /** Returns {@code V diag(sqrt(max(lambda, 0))) V^T} of a symmetric positive semi-definite matrix. */
    static RealMatrix symmetricSquareRoot(RealMatrix matrix) {
        EigenDecomposition decomposition = new EigenDecomposition(symmetrized(matrix));
        RealMatrix vectors = decomposition.getV();
        double[] values = decomposition.getRealEigenvalues();
        int n = values.length;
        RealMatrix scaled = vectors.copy();
        for (int j = 0; j < n; j++) {
            double root = Math.sqrt(Math.max(0, values[j]));
            for (int i = 0; i < n; i++) {
                scaled.setEntry(i, j, scaled.getEntry(i, j) * root);
            }
        }
        return scaled.multiply(vectors.transpose());
    }

    private static RealMatrix symmetrized(RealMatrix matrix) {
        return matrix.add(matrix.transpose()).scalarMultiply(0.5);
    }
}
