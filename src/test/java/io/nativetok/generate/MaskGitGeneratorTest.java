package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskGitGeneratorTest {

    private static GeneratorConfig tiny() {
        return GeneratorConfig.builder(GeneratorKind.MASKGIT, GeneratorPreset.TINY).data(16, 12, 4).seed(2).build();
    }

    @Test
    void maskCountFollowsCosineSchedule() {
        assertEquals(32, MaskGitGenerator.maskCount(0, 32), "u = 0 masks everything");
        assertEquals(1, MaskGitGenerator.maskCount(0.999999, 32), "u near 1 masks one token");
        assertEquals((int) Math.ceil(Math.cos(Math.PI / 4) * 32), MaskGitGenerator.maskCount(0.5, 32));
    }

    @Test
    void lossCountsMaskedTokensOnly() {
        try (MaskGitGenerator generator = new MaskGitGenerator(tiny());
                NDManager manager = NDManager.newBaseManager()) {
            int[][] ids = new int[64][16];
            NDArray tokens = ArGenerator.toArray(manager, ids);
            NDArray classes = manager.create(new long[64]);
            SplittableRandom random = new SplittableRandom(4);
            Generator.BatchLoss loss = generator.loss(tokens, classes, random, false);
            // Replay the same draws to count the masks the loss should have used.
            SplittableRandom replay = new SplittableRandom(4);
            long expected = 0;
            for (int b = 0; b < 64; b++) {
                for (int i = 15; i > 0; i--) {
                    replay.nextInt(i + 1);
                }
                expected += MaskGitGenerator.maskCount(replay.nextDouble(), 16);
            }
            assertEquals(expected, loss.predicted());
            assertTrue(loss.predicted() > 64 && loss.predicted() < 64 * 16, "masked count " + loss.predicted());
        }
    }

    @Test
    void samplingRevealsEveryTokenDeterministically() {
        try (MaskGitGenerator generator = new MaskGitGenerator(tiny())) {
            for (int steps : new int[] {1, 8, 16}) {
                SamplingOptions options = SamplingOptions.defaults().withSteps(steps).withCfgScale(3f).withSeed(7);
                int[][] first = generator.sample(new int[] {0, 3, 1}, options);
                int[][] second = generator.sample(new int[] {0, 3, 1}, options);
                assertArrayEquals(first, second, "same seed, same tokens at " + steps + " steps");
                for (int[] row : first) {
                    assertEquals(16, row.length);
                    for (int id : row) {
                        assertTrue(id >= 0 && id < 12, "id " + id + " at " + steps + " steps is not a code");
                    }
                }
            }
        }
    }

    @Test
    void outOfRangeSamplingInputsAreRejected() {
        try (MaskGitGenerator generator = new MaskGitGenerator(tiny())) {
            SamplingOptions options = SamplingOptions.defaults();
            IllegalArgumentException classError = assertThrows(IllegalArgumentException.class,
                    () -> generator.sample(new int[] {4}, options));
            assertTrue(classError.getMessage().contains("Invalid class id 4: expected 0 to 3"), classError.getMessage());
            IllegalArgumentException stepError = assertThrows(IllegalArgumentException.class,
                    () -> generator.sample(new int[] {0}, options.withSteps(17)));
            assertTrue(stepError.getMessage().contains("Invalid steps 17: expected 1 to 16"), stepError.getMessage());
            IllegalArgumentException topKError = assertThrows(IllegalArgumentException.class,
                    () -> generator.sample(new int[] {0}, options.withTopK(13)));
            assertTrue(topKError.getMessage().contains("Invalid top-k 13"), topKError.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.defaults().withTemperature(0));
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.defaults().withCfgScale(-1));
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.defaults().withCfgScale(21));
        assertThrows(IllegalArgumentException.class, () -> SamplingOptions.defaults().withSteps(0));
    }
}
