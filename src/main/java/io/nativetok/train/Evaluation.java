package io.nativetok.train;

import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Reconstruction quality of a tokenizer on a set of images.
 *
 * @param step the training step the model was at (0 for an untrained or loaded model)
 * @param images number of images evaluated
 * @param psnr mean per-image PSNR in dB, pixels in [0, 1]
 * @param ssim mean per-image SSIM
 * @param mse mean squared error in [0, 1] pixel scale
 * @param codebookUsage fraction of codebook entries used over all tokens of the set
 * @param perplexity exp(entropy) of the code distribution over the set
 */
public record Evaluation(
        long step, int images, double psnr, double ssim, double mse, double codebookUsage,
        double perplexity) {

    /** Returns a one-line summary. */
    public String summary() {
        return String.format(
                java.util.Locale.ROOT,
                "PSNR %.2f dB, SSIM %.4f, codebook usage %.1f%%, perplexity %.1f on %d images",
                psnr, ssim, 100 * codebookUsage, perplexity, images);
    }

    /**
     * Creates a table with one row per evaluation and the columns {@code step}, {@code images},
     * {@code psnr}, {@code ssim}, {@code mse}, {@code codebook_usage} and {@code perplexity}.
     */
    public static Table toTable(String title, List<Evaluation> evaluations) {
        return Table.create(title,
                LongColumn.create("step", evaluations.stream().mapToLong(Evaluation::step).toArray()),
                IntColumn.create("images", evaluations.stream().mapToInt(Evaluation::images).toArray()),
                DoubleColumn.create("psnr", evaluations.stream().mapToDouble(Evaluation::psnr)),
                DoubleColumn.create("ssim", evaluations.stream().mapToDouble(Evaluation::ssim)),
                DoubleColumn.create("mse", evaluations.stream().mapToDouble(Evaluation::mse)),
                DoubleColumn.create("codebook_usage", evaluations.stream().mapToDouble(Evaluation::codebookUsage)),
                DoubleColumn.create("perplexity", evaluations.stream().mapToDouble(Evaluation::perplexity)));
    }
}
