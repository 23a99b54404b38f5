package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

    private static List<int[]> take(BatchSampler sampler, int count) {
        List<int[]> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batches.add(sampler.next());
        }
        return batches;
    }

    private static void assertSameBatches(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "batch " + i);
        }
    }

    @Test
    void sameSeedGivesSameOrder() {
        List<int[]> first = take(new BatchSampler(1000, 64, 7), 40);
        List<int[]> second = take(new BatchSampler(1000, 64, 7), 40);
        List<int[]> otherSeed = take(new BatchSampler(1000, 64, 8), 40);

        assertSameBatches(first, second);
        assertFalse(Arrays.equals(first.get(0), otherSeed.get(0)), "another seed gives another order");
    }

    @Test
    void orderIsPinnedAcrossVersions() {
        // Fixed output of the shuffle, so that a change of algorithm, which would change the data
        // order of resumed runs, fails here.
        assertArrayEquals(new int[] {5, 8, 4, 2, 7, 6, 1, 0, 3, 9}, BatchSampler.permutation(10, 42, 0));
    }

    @Test
    void epochIsPermutationWithoutTail() {
        BatchSampler sampler = new BatchSampler(10, 3, 1);
        assertEquals(3, sampler.batchesPerEpoch());

        Set<Integer> seen = new HashSet<>();
        for (int[] batch : take(sampler, 3)) {
            assertEquals(3, batch.length);
            for (int index : batch) {
                assertTrue(index >= 0, "index " + index);
                assertTrue(index < 10, "index " + index);
                assertTrue(seen.add(index), "index " + index + " repeated within an epoch");
            }
        }
        assertEquals(9, seen.size());
        assertEquals(new BatchSampler.Position(1, 0), sampler.position());
    }

    @Test
    void epochsHaveDifferentOrders() {
        int[] epoch0 = BatchSampler.permutation(1000, 5, 0);
        int[] epoch1 = BatchSampler.permutation(1000, 5, 1);
        assertFalse(Arrays.equals(epoch0, epoch1));

        BatchSampler sampler = new BatchSampler(1000, 1000, 5);
        assertArrayEquals(epoch0, sampler.next());
        assertArrayEquals(epoch1, sampler.next());
    }

    @Test
    void restoredPositionContinuesIdentically() {
        BatchSampler original = new BatchSampler(100, 16, 123);
        take(original, 9);
        BatchSampler.Position saved = original.position();
        assertEquals(new BatchSampler.Position(1, 48), saved);
        List<int[]> expected = take(original, 20);

        BatchSampler resumed = new BatchSampler(100, 16, 123);
        resumed.restore(saved);
        assertEquals(saved, resumed.position());
        assertSameBatches(expected, take(resumed, 20));
    }

    @Test
    void restoreRejectsInvalidPosition() {
        BatchSampler sampler = new BatchSampler(100, 16, 1);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> sampler.restore(new BatchSampler.Position(0, 90)));

        assertTrue(error.getMessage().contains("offset 0 to 84"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sampler.restore(new BatchSampler.Position(-1, 0)));
    }

    @Test
    void batchLargerThanSetIsRejected() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new BatchSampler(10, 11, 1));
        assertTrue(error.getMessage().contains("Invalid batch size 11 for 10 images"), error.getMessage());
    }
}
