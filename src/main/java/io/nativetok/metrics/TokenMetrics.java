package io.nativetok.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.generate.ArGenerator;
import io.nativetok.generate.TokenDataset;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Measures of how predictable tokens are, position by position, the quantities NativeTok's claim
 * is about: per-position cross-entropy of an autoregressive generator against the marginal entropy,
 * the probability-mass coverage sets and their overlap between positions, and codebook usage.
 *
 * <p>Every generator quantity is computed with teacher forcing on a token data set: position i's
 * distribution is {@code p(z_i | z_<i, class)} with the true prefix and the sample's own class, no
 * guidance.
 */
public final class TokenMetrics {

    private static final int BATCH = 128;
    private static final double LN2 = Math.log(2);

    private TokenMetrics() {}

    /**
     * Returns one row per position i with {@code position}, {@code cross_entropy_bits} (H_i =
     * mean of {@code -log2 p(z_i | z_<i, class)} over the rows) and {@code marginal_entropy_bits}
     * (the entropy of the empirical distribution of z_i over the rows, a plug-in estimate that is
     * biased low when the rows are few compared with the codebook size).
     */
    public static Table perPositionCrossEntropy(ArGenerator generator, TokenDataset data) {
        int length = data.length();
        double[] sums = new double[length];
        forEachBatch(generator, data, (logProbabilities, tokens) -> {
            NDArray targets = logProbabilities.gather(tokens.expandDims(-1), -1).squeeze(-1); // (B, L)
            float[] batchSums = targets.sum(new int[] {0}).toFloatArray(); // (L)
            for (int i = 0; i < length; i++) {
                sums[i] -= batchSums[i];
            }
        });
        double[] crossEntropy = new double[length];
        double[] marginal = new double[length];
        for (int i = 0; i < length; i++) {
            crossEntropy[i] = sums[i] / data.size() / LN2;
            marginal[i] = marginalEntropyBits(data, i);
        }
        return Table.create("per-position cross-entropy",
                IntColumn.create("position", IntStream.range(0, length).toArray()),
                DoubleColumn.create("cross_entropy_bits", crossEntropy),
                DoubleColumn.create("marginal_entropy_bits", marginal));
    }

    /** Returns the entropy in bits of the empirical distribution of the ids at {@code position}. */
    public static double marginalEntropyBits(TokenDataset data, int position) {
        long[] counts = new long[data.codebookSize()];
        for (int r = 0; r < data.size(); r++) {
            counts[data.id(r, position)]++;
        }
        double entropy = 0;
        for (long count : counts) {
            if (count > 0) {
                double p = (double) count / data.size();
                entropy -= p * Math.log(p);
            }
        }
        return entropy / LN2;
    }

    /**
     * Coverage sets and their overlap.
     *
     * @param sets one row per position: {@code position}, {@code set_size} (codes in the set) and
     *     {@code covered_mass} (at least the requested mass)
     * @param overlaps one row per pair of positions a < b: {@code position_a}, {@code position_b},
     *     {@code jaccard} (size of the intersection over size of the union of their sets)
     * @param meanOverlap the mean Jaccard overlap over all pairs of different positions
     */
    public record Coverage(Table sets, Table overlaps, double meanOverlap) {}

    /**
     * Finds, for each position, the smallest set of codes that covers {@code mass} of the
     * generator's predicted probability, and the Jaccard overlap of those sets between positions.
     *
     * <p>The sets are computed from the averaged prediction: position i's distribution {@code
     * p(z_i | z_<i, class)} is averaged over all rows of {@code data}, and the set contains the most
     * probable codes of that average until their total reaches {@code mass}. Averaged sets measure
     * which codes a position uses at all; small, disjoint sets mean that positions specialise.
     *
     * @param mass the probability mass to cover, in (0, 1], e.g. 0.9
     */
    public static Coverage coverage(ArGenerator generator, TokenDataset data, double mass) {
        if (!(mass > 0 && mass <= 1)) {
            throw new IllegalArgumentException("Invalid coverage mass " + mass + ": expected a value in (0, 1].");
        }
        int length = data.length();
        int codes = data.codebookSize();
        double[][] average = new double[length][codes];
        forEachBatch(generator, data, (logProbabilities, tokens) -> {
            float[] batchSums = logProbabilities.exp().sum(new int[] {0}).toFloatArray(); // (L, K)
            for (int i = 0; i < length; i++) {
                for (int k = 0; k < codes; k++) {
                    average[i][k] += batchSums[i * codes + k] / (double) data.size();
                }
            }
        });

        int[] sizes = new int[length];
        double[] covered = new double[length];
        Set<Integer>[] sets = coverageSets(average, mass, sizes, covered);
        int pairs = length * (length - 1) / 2;
        int[] first = new int[pairs];
        int[] second = new int[pairs];
        double[] jaccard = new double[pairs];
        double total = 0;
        int p = 0;
        for (int a = 0; a < length; a++) {
            for (int b = a + 1; b < length; b++) {
                first[p] = a;
                second[p] = b;
                jaccard[p] = jaccard(sets[a], sets[b]);
                total += jaccard[p];
                p++;
            }
        }
        Table setTable = Table.create("coverage sets (" + mass + " of the mass)",
                IntColumn.create("position", IntStream.range(0, length).toArray()),
                IntColumn.create("set_size", sizes),
                DoubleColumn.create("covered_mass", covered));
        Table overlapTable = Table.create("Jaccard overlap of coverage sets",
                IntColumn.create("position_a", first),
                IntColumn.create("position_b", second),
                DoubleColumn.create("jaccard", jaccard));
        return new Coverage(setTable, overlapTable, pairs == 0 ? 0 : total / pairs);
    }

    @SuppressWarnings("unchecked")
    private static Set<Integer>[] coverageSets(double[][] average, double mass, int[] sizes, double[] covered) {
        Set<Integer>[] sets = new Set[average.length];
        for (int i = 0; i < average.length; i++) {
            double[] row = average[i];
            Integer[] order = IntStream.range(0, row.length).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble((Integer k) -> row[k]).reversed());
            sets[i] = new HashSet<>();
            double sum = 0;
            for (Integer k : order) {
                sets[i].add(k);
                sum += row[k];
                // A small tolerance so that rounding of a distribution that sums to 1 cannot
                // leave the set one code short of the whole codebook.
                if (sum >= mass - 1e-9) {
                    break;
                }
            }
            sizes[i] = sets[i].size();
            covered[i] = sum;
        }
        return sets;
    }

    private static double jaccard(Set<Integer> a, Set<Integer> b) {
        int intersection = 0;
        for (Integer k : a) {
            if (b.contains(k)) {
                intersection++;
            }
        }
        int union = a.size() + b.size() - intersection;
        return union == 0 ? 0 : (double) intersection / union;
    }

    /**
     * Returns codebook usage of a token data set: a row {@code all} over every id, then one row
     * per position, with {@code used} (distinct ids), {@code usage} (used / K) and {@code
     * perplexity} (exp of the entropy in nats of the id distribution).
     */
    public static Table codebookUsage(TokenDataset data) {
        int length = data.length();
        String[] scopes = new String[length + 1];
        int[] used = new int[length + 1];
        double[] usage = new double[length + 1];
        double[] perplexity = new double[length + 1];
        CodebookStats all = new CodebookStats(data.codebookSize());
        for (int i = 0; i < length; i++) {
            long[] column = new long[data.size()];
            for (int r = 0; r < data.size(); r++) {
                column[r] = data.id(r, i);
            }
            all.add(column);
            CodebookStats stats = new CodebookStats(data.codebookSize()).add(column);
            scopes[i + 1] = "position " + i;
            used[i + 1] = stats.used();
            usage[i + 1] = stats.usage();
            perplexity[i + 1] = stats.perplexity();
        }
        scopes[0] = "all";
        used[0] = all.used();
        usage[0] = all.usage();
        perplexity[0] = all.perplexity();
        return Table.create("codebook usage",
                StringColumn.create("scope", scopes),
                IntColumn.create("used", used),
                DoubleColumn.create("usage", usage),
                DoubleColumn.create("perplexity", perplexity));
    }

    /** Receives the {@code (B, L, K)} log-probabilities and {@code (B, L)} token ids of a batch. */
    private interface BatchConsumer {
        void accept(NDArray logProbabilities, NDArray tokens);
    }

    private static void forEachBatch(ArGenerator generator, TokenDataset data, BatchConsumer consumer) {
        if (data.length() != generator.config().tokens() || data.codebookSize() != generator.config().codebookSize()
                || data.classCount() != generator.config().classes()) {
            throw new IllegalArgumentException(
                    "Token data set of " + data.length() + " tokens, codebook size " + data.codebookSize() + " and "
                            + data.classCount() + " classes does not fit the generator ("
                            + generator.config().tokens() + " tokens, codebook size "
                            + generator.config().codebookSize() + ", " + generator.config().classes() + " classes).");
        }
        for (int from = 0; from < data.size(); from += BATCH) {
            int[] rows = IntStream.range(from, Math.min(data.size(), from + BATCH)).toArray();
            try (NDManager scope = generator.manager().newSubManager()) {
                NDArray tokens = data.tokenArray(scope, rows);
                NDArray logits = generator.logits(tokens, data.labelArray(scope, rows), false);
                consumer.accept(logits.logSoftmax(-1), tokens);
            }
        }
    }
}
