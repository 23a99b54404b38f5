package io.nativetok.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Endless sequence of shuffled batches of image indices, reproducible from a seed.
 *
 * <p>Each epoch is a fresh permutation of {@code 0 .. size - 1}, cut into batches of
 * {@code batchSize}. The incomplete tail of an epoch is dropped, so every batch is full and
 * an epoch has {@code size / batchSize} batches. The permutation of epoch {@code e} depends only on
 * the seed and {@code e}. It is a Fisher-Yates shuffle driven by SplitMix64, written out here
 * rather than taken from {@code java.util}, so the order is the same on every JVM and version.
 *
 * <p>To resume a run with the same data order, save {@link #position()} with the checkpoint and
 * pass it to {@link #restore(Position)} after creating a sampler with the same size, batch size
 * and seed.
 *
 * <p>Not thread-safe.
 */
public final class BatchSampler {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /**
     * Position of the next batch: the epoch (0-based) and the offset of the batch's first element
     * in that epoch's permutation.
     */
    public record Position(long epoch, int offset) {
    }

    private final int size;
    private final int batchSize;
    private final long seed;

    private long epoch;
    private int offset;
    private int[] permutation;

    /**
     * Creates a sampler over the indices {@code 0 .. size - 1}, starting at epoch 0, offset 0.
     *
     * @throws IllegalArgumentException when {@code batchSize} is below 1 or above {@code size}
     */
    public BatchSampler(int size, int batchSize, long seed) {
        if (batchSize < 1 || batchSize > size) {
            throw new IllegalArgumentException("Invalid batch size " + batchSize + " for " + size
                    + " images: expected 1 to " + size + ". Use a smaller batch or a larger image set.");
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
        this.permutation = permutation(size, seed, 0);
    }

    /** Creates a sampler over all images of {@code set}. */
    public BatchSampler(ImageSet set, int batchSize, long seed) {
        this(Objects.requireNonNull(set, "set").size(), batchSize, seed);
    }

    /** Returns the indices of the next batch and advances; moves to the next epoch after its last full batch. */
    public int[] next() {
        int[] batch = Arrays.copyOfRange(permutation, offset, offset + batchSize);
        offset += batchSize;
        if (offset + batchSize > size) {
            epoch++;
            offset = 0;
            permutation = permutation(size, seed, epoch);
        }
        return batch;
    }

    /** Returns the position of the batch that {@link #next()} returns next. */
    public Position position() {
        return new Position(epoch, offset);
    }

    /**
     * Moves to a saved position, so that {@link #next()} continues as it did after the save.
     *
     * @throws IllegalArgumentException when the epoch is negative or the offset leaves no full batch
     */
    public void restore(Position position) {
        if (position.epoch() < 0 || position.offset() < 0 || position.offset() + batchSize > size) {
            throw new IllegalArgumentException("Invalid sampler position " + position + ": expected epoch >= 0 and"
                    + " offset 0 to " + (size - batchSize) + " for " + size + " images in batches of " + batchSize
                    + ". Restore a position saved by a sampler with the same size and batch size.");
        }
        if (position.epoch() != epoch) {
            permutation = permutation(size, seed, position.epoch());
        }
        this.epoch = position.epoch();
        this.offset = position.offset();
    }

    /** Returns the number of full batches per epoch. */
    public int batchesPerEpoch() {
        return size / batchSize;
    }

    /** Returns the number of indices sampled from. */
    public int size() {
        return size;
    }

    /** Returns the number of indices per batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Returns the seed. */
    public long seed() {
        return seed;
    }

    /** Returns the permutation of {@code 0 .. size - 1} for one epoch. */
    static int[] permutation(int size, long seed, long epoch) {
        SplitMix64 random = new SplitMix64(SplitMix64.mix(seed + SplitMix64.mix(epoch + GOLDEN_GAMMA)));
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** SplitMix64 generator: a 64-bit state advanced by the golden-ratio gamma, output through the Mix13 finalizer. */
    private static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long nextLong() {
            state += GOLDEN_GAMMA;
            return mix(state);
        }

        /** Returns an unbiased value in {@code [0, bound)} by rejecting the uneven top of the range. */
        int nextInt(int bound) {
            while (true) {
                int bits = (int) (nextLong() >>> 33);
                int value = bits % bound;
                if (bits - value + (bound - 1) >= 0) {
                    return value;
                }
            }
        }
    }
}
