package io.nativetok.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    private static double[][] gaussianSample(int count, double[] mean, double[] scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] rows = new double[count][mean.length];
        for (double[] row : rows) {
            for (int d = 0; d < mean.length; d++) {
                double u = random.nextDouble();
                double v = random.nextDouble();
                double normal = Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
                row[d] = mean[d] + scale[d] * normal;
            }
        }
        return rows;
    }

    private static double[][] diagonal(double... values) {
        double[][] matrix = new double[values.length][values.length];
        for (int i = 0; i < values.length; i++) {
            matrix[i][i] = values[i];
        }
        return matrix;
    }

    @Test
    void setAgainstItselfIsZero() {
        double[][] features = gaussianSample(500, new double[] {1, -2, 0.5, 3, 0}, new double[] {1, 2, 0.3, 5, 1}, 1);
        // Correlate the dimensions so that the covariance is not diagonal.
        for (double[] row : features) {
            row[1] += 0.8 * row[0];
            row[4] -= 0.5 * row[3];
        }
        assertEquals(0, FrechetDistance.between(features, features), 1e-6);
    }

    @Test
    void diagonalGaussiansMatchClosedForm() {
        double[] mean1 = {0, 1, -2};
        double[] mean2 = {1, 1, 0.5};
        double[] variance1 = {1, 4, 0.25};
        double[] variance2 = {2, 1, 9};
        double expected = 0;
        for (int d = 0; d < 3; d++) {
            double difference = mean1[d] - mean2[d];
            expected += difference * difference
                    + variance1[d] + variance2[d] - 2 * Math.sqrt(variance1[d] * variance2[d]);
        }
        double actual = FrechetDistance.between(
                new FrechetDistance.Gaussian(mean1, diagonal(variance1)),
                new FrechetDistance.Gaussian(mean2, diagonal(variance2)));
        assertEquals(expected, actual, 1e-9);
    }

    @Test
    void rotationOfBothGaussiansKeepsDistance() {
        double[] variance1 = {1, 4};
        double[] variance2 = {3, 0.5};
        double angle = 0.7;
        double[][] rotation = {{Math.cos(angle), -Math.sin(angle)}, {Math.sin(angle), Math.cos(angle)}};
        double plain = FrechetDistance.between(
                new FrechetDistance.Gaussian(new double[] {0, 0}, diagonal(variance1)),
                new FrechetDistance.Gaussian(new double[] {0, 0}, diagonal(variance2)));
        double rotated = FrechetDistance.between(
                new FrechetDistance.Gaussian(new double[] {0, 0}, rotate(rotation, diagonal(variance1))),
                new FrechetDistance.Gaussian(new double[] {0, 0}, rotate(rotation, diagonal(variance2))));
        assertEquals(plain, rotated, 1e-9);
    }

    private static double[][] rotate(double[][] r, double[][] matrix) {
        double[][] result = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 2; b++) {
                        result[i][j] += r[i][a] * matrix[a][b] * r[j][b];
                    }
                }
            }
        }
        return result;
    }

    @Test
    void samplesApproachTheClosedForm() {
        double[] mean1 = {0, 0};
        double[] mean2 = {1, -1};
        double[] scale1 = {1, 2};
        double[] scale2 = {2, 1};
        double expected = 2 + (1 + 4 - 2 * 2) + (4 + 1 - 2 * 2);
        double estimate = FrechetDistance.between(
                gaussianSample(20_000, mean1, scale1, 2), gaussianSample(20_000, mean2, scale2, 3));
        assertEquals(expected, estimate, 0.15);
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.between(new double[][] {{1, 2}, {3, 4}}, new double[][] {{1}, {2}}));
        assertTrue(error.getMessage().contains("dimensions 2 and 1"), error.getMessage());
    }

    @Test
    void classifierIsOfConfidentPredictions() {
        double[][] confident = new double[40][4];
        for (int i = 0; i < confident.length; i++) {
            confident[i][i % 4] = 1;
        }
        assertEquals(4, ImageScores.classifierIs(confident), 1e-9);

        double[][] identical = new double[10][];
        for (int i = 0; i < identical.length; i++) {
            identical[i] = new double[] {0.7, 0.2, 0.1};
        }
        assertEquals(1, ImageScores.classifierIs(identical), 1e-9);
    }
}
