package io.nativetok.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.NativeTok;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * Token-position ablations: what each position of a 1-D token sequence contributes to the image.
 *
 * <p>{@link #prefixQuality} decodes from the first k tokens only (the decoder replaces the others
 * with its learned absent-token embedding) and measures the reconstruction against the original.
 * {@link #influence} replaces the token at one position by random other codes and measures how much
 * the decoded image changes, for every position. Images are processed in batches of 100.
 */
public final class TokenPositions {

    private static final int BATCH = 100;

    private TokenPositions() {}

    /**
     * Measures reconstructions from prefixes of the tokens.
     *
     * @param images the images to encode and decode
     * @param prefixes prefix lengths, each between 1 and L
     * @return one row per prefix: {@code prefix, psnr, ssim, mse} (pixels in [0, 1])
     */
    public static Table prefixQuality(NativeTok tokenizer, ImageSet images, int... prefixes) {
        for (int k : prefixes) {
            checkPrefix(tokenizer, k);
        }
        IntColumn prefix = IntColumn.create("prefix");
        DoubleColumn psnr = DoubleColumn.create("psnr");
        DoubleColumn ssim = DoubleColumn.create("ssim");
        DoubleColumn mse = DoubleColumn.create("mse");
        double[][] sums = new double[prefixes.length][3];
        forEachBatch(tokenizer, images, (original, ids, scope) -> {
            for (int p = 0; p < prefixes.length; p++) {
                float[] decoded = tokenizer.decodePrefix(ids, prefixes[p], scope).toFloatArray();
                accumulate(sums[p], original, decoded, images);
            }
        });
        for (int p = 0; p < prefixes.length; p++) {
            prefix.append(prefixes[p]);
            psnr.append(sums[p][0] / images.size());
            ssim.append(sums[p][1] / images.size());
            mse.append(sums[p][2] / images.size());
        }
        return Table.create("prefix quality", prefix, psnr, ssim, mse);
    }

    /**
     * Measures, for every position, how much replacing its token changes the decoded image.
     *
     * @param images the images to encode
     * @param replacements random replacement codes tried per position and image, at least 1
     * @param seed seed of the replacement codes
     * @return one row per position: {@code position, mse_change} (mean squared pixel change in [0,
     *     1] scale between the decoding with the replaced token and the unmodified decoding)
     */
    public static Table influence(NativeTok tokenizer, ImageSet images, int replacements, long seed) {
        int tokens = tokenizer.tokens();
        double[] change = new double[tokens];
        for (int position = 0; position < tokens; position++) {
            change[position] = influence(tokenizer, images, position, replacements, seed);
        }
        IntColumn position = IntColumn.create("position", IntStream.range(0, tokens).toArray());
        return Table.create("position influence", position, DoubleColumn.create("mse_change", change));
    }

    /**
     * Returns the mean squared pixel change caused by replacing the token at {@code position}.
     *
     * @throws IllegalArgumentException when {@code position} is outside 0..L-1
     */
    public static double influence(
            NativeTok tokenizer, ImageSet images, int position, int replacements, long seed) {
        if (position < 0 || position >= tokenizer.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid position " + position + ": expected 0 to " + (tokenizer.tokens() - 1) + ".");
        }
        if (replacements < 1) {
            throw new IllegalArgumentException(
                    "Invalid replacements " + replacements + ": expected at least 1.");
        }
        int codebookSize = tokenizer.codebookSize();
        double[] total = new double[1];
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + position);
        forEachBatch(tokenizer, images, (original, ids, scope) -> {
            float[] reference = tokenizer.decode(ids, scope).toFloatArray();
            for (int r = 0; r < replacements; r++) {
                int[][] changed = new int[ids.length][];
                for (int b = 0; b < ids.length; b++) {
                    changed[b] = ids[b].clone();
                    int replacement = random.nextInt(codebookSize - 1);
                    changed[b][position] = replacement >= ids[b][position] ? replacement + 1 : replacement;
                }
                float[] decoded = tokenizer.decode(changed, scope).toFloatArray();
                total[0] += ImageQuality.mse(reference, decoded, 0, decoded.length) * ids.length;
            }
        });
        return total[0] / ((double) images.size() * replacements);
    }

    private interface BatchWork {
        void run(float[] original, int[][] ids, NDManager scope);
    }

    private static void forEachBatch(NativeTok tokenizer, ImageSet images, BatchWork work) {
        for (int from = 0; from < images.size(); from += BATCH) {
            int[] indices = IntStream.range(from, Math.min(images.size(), from + BATCH)).toArray();
            try (NDManager scope = tokenizer.manager().newSubManager()) {
                NDArray batch = ImageSets.toArray(scope, images, indices);
                work.run(batch.toFloatArray(), tokenizer.encode(batch), scope);
            }
        }
    }

    private static void accumulate(double[] sums, float[] original, float[] decoded, ImageSet images) {
        int pixels = 3 * images.height() * images.width();
        int count = original.length / pixels;
        for (int i = 0; i < count; i++) {
            double mse = ImageQuality.mse(original, decoded, i * pixels, pixels);
            sums[0] += mse == 0 ? 100 : -10 * Math.log10(mse);
            sums[1] += ImageQuality.ssim(original, decoded, i * pixels, 3, images.height(), images.width());
            sums[2] += mse;
        }
    }

    private static void checkPrefix(NativeTok tokenizer, int prefix) {
        if (prefix < 1 || prefix > tokenizer.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid prefix length " + prefix + ": expected 1 to " + tokenizer.tokens() + ".");
        }
    }
}
