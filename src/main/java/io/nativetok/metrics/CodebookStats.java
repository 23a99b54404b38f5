package io.nativetok.metrics;

/**
 * Counts of how often each codebook entry is used, with usage and perplexity.
 *
 * <p>Usage is the fraction of the K entries used at least once. Perplexity is {@code exp(H)}, where
 * H is the entropy (in nats) of the empirical code distribution: K for a uniform use of all
 * entries, 1 when a single entry is used.
 */
public final class CodebookStats {

    private final long[] counts;
    private long total;

    /** Creates empty counts for a codebook of {@code codebookSize} entries. */
    public CodebookStats(int codebookSize) {
        counts = new long[codebookSize];
    }

    /** Counts every id of {@code ids}. */
    public CodebookStats add(int[][] ids) {
        for (int[] row : ids) {
            for (int id : row) {
                counts[id]++;
                total++;
            }
        }
        return this;
    }

    /** Counts every id of a flat array. */
    public CodebookStats add(long[] ids) {
        for (long id : ids) {
            counts[(int) id]++;
            total++;
        }
        return this;
    }

    /** Returns the number of entries used at least once. */
    public int used() {
        int used = 0;
        for (long count : counts) {
            if (count > 0) {
                used++;
            }
        }
        return used;
    }

    /** Returns the fraction of entries used at least once, in [0, 1]. */
    public double usage() {
        return (double) used() / counts.length;
    }

    /** Returns {@code exp(entropy)} of the code distribution; 0 when nothing was counted. */
    public double perplexity() {
        if (total == 0) {
            return 0;
        }
        double entropy = 0;
        for (long count : counts) {
            if (count > 0) {
                double p = (double) count / total;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /** Returns the number of ids counted. */
    public long total() {
        return total;
    }
}
