package io.nativetok.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.nativetok.data.BatchSampler;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.metrics.CodebookStats;
import io.nativetok.nn.GradMode;
import io.nativetok.nn.RowThreads;
import io.nativetok.nn.VectorQuantizer;
import io.nativetok.metrics.ImageQuality;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.TokenizerOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link NativeTok} step by step, or for a whole run with {@link #fit}.
 *
 * <p>The loss is the mean squared pixel error in the model's [-1, 1] scale plus the quantizer's
 * codebook and weighted commitment terms. Each {@link #step} call does one AdamW update on one
 * batch and returns its {@link StepMetrics}; {@link #evaluate} measures reconstruction quality
 * without changing anything; {@link #save} and {@link #load} store and restore everything needed to
 * continue exactly: parameters, optimizer moments, step count and data-order position.
 */
public final class TokenizerTrainer implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(TokenizerTrainer.class);
    private static final int EVALUATION_BATCH = 100;
    /** Minimum number of images per block when a step runs on several cores. */
    private static final int MIN_BLOCK_ROWS = 8;
    private static final String RESTART_STATE = "codebook.last-used";

    private final NativeTok tokenizer;
    private final Optimization optimization;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final CodebookRestarts restarts;
    private BatchSampler sampler;
    private BatchSampler.Position pendingPosition;
    private String pendingDataSize;
    private java.util.function.Supplier<Map<String, String>> extraMeta = Map::of;

    /** Creates a trainer for {@code tokenizer}; see {@link NativeTok#newTrainer}. */
    public TokenizerTrainer(NativeTok tokenizer, TrainingConfig config) {
        this.tokenizer = tokenizer;
        this.optimization = new Optimization(tokenizer.block(), tokenizer.manager(), config);
        this.restarts =
                new CodebookRestarts(
                        tokenizer.codebookSize(), config.restartUnusedCodes(), config.seed());
    }

    /** Adds a listener for {@link #fit}. */
    public TokenizerTrainer addListener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Runs one training step.
     *
     * @param images {@code (B, 3, H, W)} float32 in [0, 1]
     * @throws DivergenceException when a loss term or the gradient norm is not finite
     */
    public StepMetrics step(NDArray images) {
        tokenizer.checkImages(images);
        long start = System.nanoTime();
        long batch = images.getShape().get(0);
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            NDArray x = images.reshape(images.getShape());
            x.attach(scope);
            NDArray target = x.mul(2).sub(1); // model scale [-1, 1]
            int prefix = tailDropoutPrefix(optimization.step() + 1);
            Optimization.BlockUpdate<VectorQuantizer.Result> result =
                    optimization.apply(
                            target,
                            MIN_BLOCK_ROWS,
                            block -> {
                                TokenizerOutput output = prefix < tokenizer.tokens()
                                        ? tokenizer.forwardPrefix(block, prefix, true)
                                        : tokenizer.forward(block, true);
                                return new Optimization.BlockLosses<>(losses(output, block), output.quantized());
                            });
            Optimization.Update update = result.update();
            List<VectorQuantizer.Result> quantized = result.outputs();
            NDArray idRows = RowThreads.join(quantized.stream().map(VectorQuantizer.Result::ids).toList()); // (B, L)
            long[] ids = idRows.toLongArray();
            CodebookStats stats = new CodebookStats(tokenizer.codebookSize()).add(ids);
            Parameter codebook = tokenizer.quantizer().codebook();
            if (codebook.requiresGradient()) {
                NDArray projectedRows = RowThreads.join(quantized.stream().map(VectorQuantizer.Result::projected).toList());
                float[] projected = projectedRows.toFloatArray();
                restarts.update(update.step(), ids, projected, codebook.getArray());
            }
            double milliseconds = (System.nanoTime() - start) / 1e6;
            Map<String, Double> values = update.losses();
            return new StepMetrics(
                    update.step(),
                    values.get("loss"),
                    values.get("reconstruction"),
                    values.get("codebook"),
                    values.get("commitment"),
                    stats.usage(),
                    stats.perplexity(),
                    update.gradientNorm(),
                    update.learningRate(),
                    batch * 1000.0 / milliseconds,
                    milliseconds);
        }
    }

    /** Runs one training step on the images of {@code set} at {@code indices}. */
    public StepMetrics step(ImageSet set, int[] indices) {
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            return step(ImageSets.toArray(scope, set, indices));
        }
    }

    /**
     * Returns how many tokens the decoder receives at {@code step}: all of them, or with probability
     * {@code tail-dropout} a prefix of uniformly random length 1..L (nested dropout, which trains
     * prefixes to be decodable on their own). The choice depends only on the seed and the step.
     */
    private int tailDropoutPrefix(long step) {
        float probability = optimization.config().tailDropout();
        int tokens = tokenizer.tokens();
        if (probability <= 0) {
            return tokens;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(optimization.config().seed() * 7_919L + step);
        return random.nextDouble() < probability ? 1 + random.nextInt(tokens) : tokens;
    }

    private static Optimization.Losses losses(TokenizerOutput output, NDArray target) {
        NDArray reconstruction = output.reconstruction().sub(target).square().mean();
        NDArray total = reconstruction.add(output.quantized().loss());
        Map<String, NDArray> terms = new LinkedHashMap<>();
        terms.put("reconstruction", reconstruction);
        terms.put("codebook", output.quantized().codebookLoss());
        terms.put("commitment", output.quantized().commitmentLoss());
        return new Optimization.Losses(total, terms);
    }

    /**
     * Measures reconstruction quality on every image of {@code set}.
     *
     * @return mean PSNR and SSIM (pixels in [0, 1]), MSE, codebook usage and perplexity
     */
    public Evaluation evaluate(ImageSet set) {
        return evaluate(tokenizer, set, optimization.step());
    }

    /** Token ids and reconstructions in [0, 1] of one row block, as Java arrays. */
    private record EvaluatedRows(long[] ids, float[] decoded) {}

    /**
     * Runs one row block of an evaluation batch, on a {@link RowThreads} worker when the batch is
     * split. The evaluation's native memory then comes from the same threads as the training
     * steps'. On the calling thread, glibc kept it in another arena beside theirs.
     */
    private static EvaluatedRows evaluateRows(NativeTok tokenizer, NDArray block) {
        try (GradMode off = GradMode.off()) {
            TokenizerOutput output = tokenizer.forward(block, false);
            return new EvaluatedRows(
                    output.quantized().ids().toLongArray(),
                    output.reconstruction().add(1).div(2).clip(0, 1).toFloatArray());
        }
    }

    /** Measures reconstruction quality of any tokenizer on {@code set}. */
    public static Evaluation evaluate(NativeTok tokenizer, ImageSet set, long step) {
        int channels = 3;
        int height = set.height();
        int width = set.width();
        int pixels = channels * height * width;
        CodebookStats stats = new CodebookStats(tokenizer.codebookSize());
        double psnr = 0;
        double ssim = 0;
        double mse = 0;
        for (int from = 0; from < set.size(); from += EVALUATION_BATCH) {
            int to = Math.min(set.size(), from + EVALUATION_BATCH);
            int[] indices = java.util.stream.IntStream.range(from, to).toArray();
            try (NDManager scope = tokenizer.manager().newSubManager()) {
                NDArray images = ImageSets.toArray(scope, set, indices);
                NDArray x = images.mul(2).sub(1);
                float[] original = images.toFloatArray();
                float[] decoded = new float[original.length];
                int filled = 0;
                for (EvaluatedRows rows : RowThreads.map(x, MIN_BLOCK_ROWS, block -> evaluateRows(tokenizer, block))) {
                    stats.add(rows.ids());
                    System.arraycopy(rows.decoded(), 0, decoded, filled, rows.decoded().length);
                    filled += rows.decoded().length;
                }
                for (int i = 0; i < indices.length; i++) {
                    int offset = i * pixels;
                    double imageMse = ImageQuality.mse(original, decoded, offset, pixels);
                    mse += imageMse;
                    psnr += imageMse == 0 ? 100 : -10 * Math.log10(imageMse);
                    ssim += ImageQuality.ssim(original, decoded, offset, channels, height, width);
                }
            }
        }
        int count = set.size();
        return new Evaluation(
                step, count, psnr / count, ssim / count, mse / count, stats.usage(),
                stats.perplexity());
    }

    /**
     * Trains until the configured number of steps is reached, evaluating and checkpointing through
     * the listeners at the configured intervals. Resumes the data order after {@link #load}.
     *
     * @param train training images
     * @param evaluation images for periodic evaluation, or null for none
     * @return the evaluations made, the last one after the final step
     */
    public List<Evaluation> fit(ImageSet train, ImageSet evaluation) {
        TrainingConfig config = optimization.config();
        if (train.size() < config.batchSize()) {
            throw new IllegalArgumentException(
                    "Training set of " + train.size() + " images is smaller than the batch size "
                            + config.batchSize() + ". Use more images or a smaller batch size.");
        }
        if (sampler == null || sampler.size() != train.size() || sampler.batchSize() != config.batchSize()) {
            sampler = new BatchSampler(train, config.batchSize(), config.seed());
            if (pendingPosition != null) {
                restorePosition(pendingPosition, pendingDataSize);
                pendingPosition = null;
                pendingDataSize = null;
            }
        }
        List<Evaluation> evaluations = new ArrayList<>();
        long end = optimization.segmentEnd();
        while (optimization.step() < end) {
            StepMetrics metrics = step(train, sampler.next());
            listeners.forEach(l -> l.onStep(this, metrics));
            long done = metrics.step();
            boolean last = done == end;
            if (evaluation != null && (last || isDue(done, config.evaluateEvery()))) {
                Evaluation result = evaluate(evaluation);
                evaluations.add(result);
                listeners.forEach(l -> l.onEvaluation(this, result));
            }
            if (last || isDue(done, config.checkpointEvery())) {
                listeners.forEach(l -> l.onCheckpoint(this));
            }
        }
        listeners.forEach(l -> l.onEnd(this));
        return evaluations;
    }

    /**
     * Moves the new sampler to the data position of a loaded checkpoint. With another training
     * set size or batch size than the checkpoint's, the data order cannot continue exactly, so the
     * run continues from the start of the saved epoch and logs a warning.
     */
    private void restorePosition(BatchSampler.Position position, String savedSize) {
        boolean sameSize = savedSize == null || savedSize.equals(String.valueOf(sampler.size()));
        boolean fits = position.offset() + sampler.batchSize() <= sampler.size();
        if (sameSize && fits) {
            sampler.restore(position);
            return;
        }
        logger.warn(
                "The checkpoint's data position (epoch {}, offset {}, {} training images) does not fit"
                        + " {} training images in batches of {}; continuing from the start of epoch {},"
                        + " so the data order differs from an uninterrupted run. Resume with the same"
                        + " training images and batch size to continue exactly.",
                position.epoch(), position.offset(), savedSize == null ? "unknown" : savedSize,
                sampler.size(), sampler.batchSize(), position.epoch());
        sampler.restore(new BatchSampler.Position(position.epoch(), 0));
    }

    private static boolean isDue(long step, int every) {
        return every > 0 && step % every == 0;
    }

    /**
     * Saves parameters, optimizer state, step and data position to {@code path}, atomically.
     *
     * @throws DivergenceException when a parameter is NaN or infinite. Nothing is written then, so
     *     an existing file at {@code path} and older checkpoints stay as they were.
     */
    public void save(Path path) {
        String nonFinite = optimization.nonFiniteParameters();
        if (nonFinite != null) {
            long step = optimization.step();
            throw new DivergenceException(
                    step, "parameters (non-finite in " + nonFinite + ")", Double.NaN,
                    "Training diverged by step " + step + ": parameters " + nonFinite
                            + " contain NaN or infinite values, so checkpoint " + path
                            + " was not written and the earlier checkpoints are unchanged. Resume"
                            + " from the newest of them with a lower learning rate (e.g. half).");
        }
        Map<String, String> meta = new LinkedHashMap<>(optimization.meta());
        meta.putAll(optimization.config().toMap());
        meta.putAll(extraMeta.get());
        BatchSampler.Position position = sampler != null ? sampler.position() : pendingPosition;
        if (position != null) {
            meta.put("data.epoch", String.valueOf(position.epoch()));
            meta.put("data.offset", String.valueOf(position.offset()));
        }
        if (sampler != null) {
            meta.put("data.size", String.valueOf(sampler.size()));
        } else if (pendingDataSize != null) {
            meta.put("data.size", pendingDataSize);
        }
        Map<String, NDArray> state = new LinkedHashMap<>(optimization.state());
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            state.put(RESTART_STATE, restarts.state(scope));
            tokenizer.save(path, meta, state);
        }
    }

    /**
     * Restores a checkpoint written by {@link #save}: parameters, optimizer state, step and data
     * position. The tokenizer must have the checkpoint's configuration.
     */
    public void load(Path path) {
        Map<String, NDArray> state = new LinkedHashMap<>(tokenizer.loadParameters(path));
        Map<String, String> meta = NativeTok.readMeta(path);
        NDArray restartState = state.remove(RESTART_STATE);
        if (restartState != null) {
            restarts.restore(restartState);
            restartState.close();
        }
        optimization.restore(state, meta);
        pendingPosition = null;
        if (meta.containsKey("data.epoch")) {
            pendingPosition =
                    new BatchSampler.Position(
                            Long.parseLong(meta.get("data.epoch")),
                            Integer.parseInt(meta.get("data.offset")));
        }
        pendingDataSize = meta.get("data.size");
        sampler = null;
    }

    /** Sets metadata added to every checkpoint this trainer writes (e.g. an HNT position). */
    public void setExtraMeta(java.util.function.Supplier<Map<String, String>> supplier) {
        this.extraMeta = supplier;
    }

    /** Returns the number of completed steps. */
    public long stepCount() {
        return optimization.step();
    }

    /** Returns the training configuration. */
    public TrainingConfig config() {
        return optimization.config();
    }

    /** Replaces the training configuration (e.g. more steps); the step count is kept. */
    public void setConfig(TrainingConfig config) {
        optimization.setConfig(config);
    }

    /**
     * Starts a new schedule segment of {@code config.steps()} steps from the current step, with its
     * own warm-up and cosine decay; {@link #fit} then runs until the segment ends.
     */
    public void startSegment(TrainingConfig config) {
        optimization.startSegment(config);
    }

    /** Returns the step at which the current schedule segment ends. */
    public long segmentEnd() {
        return optimization.segmentEnd();
    }

    /** Returns the tokenizer being trained. */
    public NativeTok tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        optimization.close();
    }
}
