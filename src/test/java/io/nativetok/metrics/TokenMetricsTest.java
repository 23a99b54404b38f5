package io.nativetok.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.generate.ArGenerator;
import io.nativetok.generate.GeneratorConfig;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.GeneratorPreset;
import io.nativetok.generate.TokenDataset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class TokenMetricsTest {

    /** Eight rows of three tokens: position 0 always 0, position 1 cycles through 0-3, position 2 = row % 2. */
    private static TokenDataset handMade() {
        int[][] tokens = new int[8][];
        int[] labels = new int[8];
        for (int r = 0; r < 8; r++) {
            tokens[r] = new int[] {0, r % 4, r % 2};
            labels[r] = r % 2;
        }
        return new TokenDataset(tokens, labels, 4, List.of("even", "odd"), "test", Map.of());
    }

    private static ArGenerator generatorFor(TokenDataset data) {
        return new ArGenerator(GeneratorConfig.builder(GeneratorKind.AR, GeneratorPreset.TINY)
                .data(data.length(), data.codebookSize(), data.classCount()).seed(3).build());
    }

    @Test
    void marginalEntropyCountsTokens() {
        TokenDataset data = handMade();
        assertEquals(0, TokenMetrics.marginalEntropyBits(data, 0), 1e-12);
        assertEquals(2, TokenMetrics.marginalEntropyBits(data, 1), 1e-12);
        assertEquals(1, TokenMetrics.marginalEntropyBits(data, 2), 1e-12);
    }

    @Test
    void crossEntropyMatchesLogits() {
        TokenDataset data = handMade();
        try (ArGenerator generator = generatorFor(data); NDManager manager = NDManager.newBaseManager()) {
            Table table = TokenMetrics.perPositionCrossEntropy(generator, data);
            assertEquals(3, table.rowCount());
            assertEquals(List.of("position", "cross_entropy_bits", "marginal_entropy_bits"), table.columnNames());
            int[] rows = IntStream.range(0, 8).toArray();
            NDArray logits = generator.logits(data.tokenArray(manager, rows), data.labelArray(manager, rows), false);
            float[] logProbabilities = logits.logSoftmax(-1).toFloatArray();
            for (int i = 0; i < 3; i++) {
                double bits = 0;
                for (int r = 0; r < 8; r++) {
                    bits -= logProbabilities[(r * 3 + i) * 4 + data.id(r, i)] / Math.log(2) / 8;
                }
                assertEquals(bits, table.doubleColumn("cross_entropy_bits").getDouble(i), 1e-5, "position " + i);
                assertEquals(TokenMetrics.marginalEntropyBits(data, i),
                        table.doubleColumn("marginal_entropy_bits").getDouble(i), 1e-12);
            }
        }
    }

    @Test
    void coverageSetsAndPairs() {
        TokenDataset data = handMade();
        try (ArGenerator generator = generatorFor(data)) {
            TokenMetrics.Coverage coverage = TokenMetrics.coverage(generator, data, 0.9);
            assertEquals(3, coverage.sets().rowCount());
            assertEquals(3, coverage.overlaps().rowCount(), "pairs (0,1), (0,2), (1,2)");
            for (int i = 0; i < 3; i++) {
                int size = coverage.sets().intColumn("set_size").getInt(i);
                assertTrue(size >= 1 && size <= 4, "set size " + size);
                assertTrue(coverage.sets().doubleColumn("covered_mass").getDouble(i) >= 0.9 - 1e-9);
            }
            double mean = coverage.overlaps().doubleColumn("jaccard").mean();
            assertEquals(mean, coverage.meanOverlap(), 1e-12);

            TokenMetrics.Coverage everything = TokenMetrics.coverage(generator, data, 1.0);
            for (int i = 0; i < 3; i++) {
                assertEquals(4, everything.sets().intColumn("set_size").getInt(i), "mass 1 needs every code");
            }
            assertEquals(1, everything.meanOverlap(), 1e-12);
        }
    }

    @Test
    void codebookUsageCountsAllAndEachPosition() {
        Table usage = TokenMetrics.codebookUsage(handMade());
        assertEquals(4, usage.rowCount());
        assertEquals("all", usage.stringColumn("scope").get(0));
        assertEquals(4, usage.intColumn("used").getInt(0));
        assertEquals(1, usage.intColumn("used").getInt(1));
        assertEquals(4, usage.intColumn("used").getInt(2));
        assertEquals(2, usage.intColumn("used").getInt(3));
        assertEquals(1, usage.doubleColumn("perplexity").getDouble(1), 1e-12);
        assertEquals(4, usage.doubleColumn("perplexity").getDouble(2), 1e-9);
        assertEquals(0.5, usage.doubleColumn("usage").getDouble(3), 1e-12);
    }
}
