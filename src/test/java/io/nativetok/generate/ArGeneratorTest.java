package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ArGeneratorTest {

    private static final int TOKENS = 12;
    private static final int CODES = 16;

    private static GeneratorConfig tiny() {
        return GeneratorConfig.builder(GeneratorKind.AR, GeneratorPreset.TINY).data(TOKENS, CODES, 3).seed(5).build();
    }

    private static int[][] randomTokens(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] ids = new int[rows][TOKENS];
        for (int[] row : ids) {
            for (int i = 0; i < TOKENS; i++) {
                row[i] = random.nextInt(CODES);
            }
        }
        return ids;
    }

    @Test
    void kvCacheMatchesFullRecompute() {
        try (ArGenerator generator = new ArGenerator(tiny());
                NDManager manager = NDManager.newBaseManager()) {
            NDArray tokens = ArGenerator.toArray(manager, randomTokens(3, 1));
            NDArray classes = manager.create(new long[] {0, 2, 3});
            float[] full = generator.logits(tokens, classes, false).toFloatArray();
            float[] cached = generator.logitsCached(tokens, classes).toFloatArray();
            assertEquals(3 * TOKENS * CODES, full.length);
            assertEquals(full.length, cached.length);
            for (int i = 0; i < full.length; i++) {
                int position = (i / CODES) % TOKENS;
                assertEquals(full[i], cached[i], 1e-5, "logit " + (i % CODES) + " at position " + position);
            }
        }
    }

    @Test
    void changingTokenLeavesEarlierLogits() {
        try (ArGenerator generator = new ArGenerator(tiny());
                NDManager manager = NDManager.newBaseManager()) {
            int[][] original = randomTokens(1, 2);
            int changed = 5;
            int[][] edited = {original[0].clone()};
            edited[0][changed] = (original[0][changed] + 1) % CODES;
            NDArray classes = manager.create(new long[] {1});
            float[] before = generator.logits(ArGenerator.toArray(manager, original), classes, false).toFloatArray();
            float[] after = generator.logits(ArGenerator.toArray(manager, edited), classes, false).toFloatArray();
            for (int position = 0; position < TOKENS; position++) {
                double difference = 0;
                for (int k = 0; k < CODES; k++) {
                    difference = Math.max(difference, Math.abs(before[position * CODES + k] - after[position * CODES + k]));
                }
                if (position <= changed) {
                    assertEquals(0, difference, 1e-6, "logits at position " + position + " changed with token " + changed);
                } else {
                    assertTrue(difference > 1e-4, "logits at position " + position + " ignore token " + changed);
                }
            }
        }
    }

    @Test
    void lossTermAtPositionUsesItsOwnTarget() {
        GeneratorConfig config = tiny().toBuilder().set("class-dropout", "0").build();
        try (ArGenerator generator = new ArGenerator(config);
                NDManager manager = NDManager.newBaseManager()) {
            int[][] original = randomTokens(1, 3);
            NDArray classes = manager.create(new long[] {2});
            NDArray logits = generator.logits(ArGenerator.toArray(manager, original), classes, false);
            float[] logProbabilities = logits.logSoftmax(-1).toFloatArray();
            double expected = 0;
            for (int i = 0; i < TOKENS; i++) {
                expected -= logProbabilities[i * CODES + original[0][i]];
            }
            expected /= TOKENS;
            double loss = generator.loss(ArGenerator.toArray(manager, original), classes, new SplittableRandom(0), false)
                    .loss().getFloat();
            assertEquals(expected, loss, 1e-5, "loss is the mean of -log p(z_i | z_<i) with target z_i");

            // Changing the last token changes no logit, so the loss moves only through target z_{L-1}.
            int[][] edited = {original[0].clone()};
            int last = TOKENS - 1;
            edited[0][last] = (original[0][last] + 3) % CODES;
            double editedLoss = generator.loss(ArGenerator.toArray(manager, edited), classes, new SplittableRandom(0), false)
                    .loss().getFloat();
            double termChange = (-logProbabilities[last * CODES + edited[0][last]]
                    + logProbabilities[last * CODES + original[0][last]]) / TOKENS;
            assertNotEquals(0, termChange, 1e-6);
            assertEquals(loss + termChange, editedLoss, 1e-5, "only the last position's term changed");
        }
    }

    @Test
    void cachedAndRecomputedSamplingAgree() {
        try (ArGenerator generator = new ArGenerator(tiny())) {
            SamplingOptions options = SamplingOptions.defaults().withCfgScale(2f).withTopK(5).withSeed(9);
            int[][] cached = generator.sample(new int[] {0, 1, 2}, options, true);
            int[][] recomputed = generator.sample(new int[] {0, 1, 2}, options, false);
            assertArrayEquals(cached, recomputed);
            for (int[] row : cached) {
                for (int id : row) {
                    assertTrue(id >= 0 && id < CODES, "id " + id + " outside the codebook");
                }
            }
        }
    }
}
