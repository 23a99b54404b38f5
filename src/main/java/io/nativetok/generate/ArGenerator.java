package io.nativetok.generate;

import io.nativetok.nn.GradMode;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.nativetok.nn.KvCache;
import io.nativetok.nn.Masks;
import java.util.SplittableRandom;

/**
 * A LlamaGen-style class-conditional autoregressive generator (Sun et al., "Autoregressive Model
 * Beats Diffusion: Llama for Scalable Image Generation", 2024) over L tokens.
 *
 * <p>The input sequence is {@code [class ; z_0 .. z_{L-2}]} and output position i predicts z_i,
 * so z_i is predicted from the class and {@code z_<i} only (causal mask). Training replaces the
 * class by the null class C with the configured probability, which makes classifier-free guidance
 * possible. Sampling draws z_0 to z_{L-1} one at a time and, by default, keeps every layer's keys
 * and values in a {@link KvCache} so that each step feeds one position.
 */
public final class ArGenerator extends BaseGenerator {

    /** The checkpoint kind. */
    public static final String KIND = "ar-generator";

    /** Creates a generator with freshly initialised parameters. */
    public ArGenerator(GeneratorConfig config) {
        super(requireKind(config), config.codebookSize(), config.tokens());
    }

    private static GeneratorConfig requireKind(GeneratorConfig config) {
        if (config.kind() != GeneratorKind.AR) {
            throw new IllegalArgumentException(
                    "Invalid generator kind " + config.kind().id() + " for ArGenerator: expected ar.");
        }
        return config;
    }

    @Override
    String checkpointKind() {
        return KIND;
    }

    /**
     * Computes the logits of every position with one causal pass; position i's row is the
     * distribution of z_i given the class and {@code z_<i}.
     *
     * @param tokens {@code (B, L)} int64 ids; z_{L-1} is not read
     * @param classes {@code (B)} int64 class ids, C for the null class
     * @return {@code (B, L, K)} in {@code tokens}' manager
     */
    public NDArray logits(NDArray tokens, NDArray classes, boolean training) {
        int length = config.tokens();
        NDArray inputs = tokens.get(":, :{}", length - 1); // (B, L-1)
        NDArray mask = Masks.causal(tokens.getManager(), length, 0); // (1, 1, L, L)
        return network.forward(parameterStore, classes, inputs, mask, training);
    }

    /**
     * Computes the same logits as {@link #logits} position by position with a {@link KvCache},
     * the way sampling does; for checking the cache.
     */
    public NDArray logitsCached(NDArray tokens, NDArray classes) {
        int length = config.tokens();
        KvCache cache = network.newCache();
        NDArray all = network.forwardCached(parameterStore, classes, null, cache); // (B, 1, K)
        for (int i = 0; i < length - 1; i++) {
            NDArray next = network.forwardCached(parameterStore, null, tokens.get(":, {}:{}", i, i + 1), cache);
            all = all.concat(next, 1);
        }
        return all; // (B, L, K)
    }

    @Override
    public BatchLoss loss(NDArray tokens, NDArray classes, SplittableRandom random, boolean training) {
        NDManager scope = tokens.getManager();
        long[] kept = dropClasses(classes, random, training);
        NDArray classIds = scope.create(kept);
        NDArray logits = logits(tokens, classIds, training); // (B, L, K)
        NDArray loss = crossEntropy(logits, tokens).mean();
        NDArray correct = logits.argMax(-1).eq(tokens).toType(DataType.FLOAT32, false).sum();
        return new BatchLoss(loss, correct, tokens.getShape().size());
    }

    @Override
    public int[][] sample(int[] classes, SamplingOptions options) {
        return sample(classes, options, true);
    }

    /**
     * Draws one sequence per class, with or without the key-value cache. Both give the same
     * tokens for the same seed, up to floating-point ties. Without the cache every step reruns the
     * whole prefix, which is the benchmark's baseline.
     */
    public int[][] sample(int[] classes, SamplingOptions options, boolean useCache) {
        try (GradMode off = GradMode.off()) {
            return sampleWithoutGrad(classes, options, useCache);
        }
    }

    private int[][] sampleWithoutGrad(int[] classes, SamplingOptions options, boolean useCache) {
        checkClasses(classes);
        options.check(config);
        int batch = classes.length;
        int length = config.tokens();
        int codes = config.codebookSize();
        boolean guided = options.cfgScale() != 1f;
        SplittableRandom random = new SplittableRandom(options.seed());
        int[][] result = new int[batch][length];
        try (NDManager scope = manager.newSubManager()) {
            NDArray classIds = scope.create(samplingClasses(classes, guided, config.classes()));
            int rows = (int) classIds.getShape().get(0);
            long[] drawn = new long[rows * length];
            KvCache cache = useCache ? network.newCache() : null;
            for (int i = 0; i < length; i++) {
                float[] logits;
                try (NDManager step = scope.newSubManager()) {
                    logits = nextLogits(step, classIds, drawn, i, rows, cache);
                }
                float[] rowsToSample = guided ? TokenDraw.guide(logits, batch, codes, options.cfgScale()) : logits;
                for (int b = 0; b < batch; b++) {
                    double[] p = TokenDraw.distribution(rowsToSample, b * codes, codes, options.temperature(), options.topK());
                    int id = TokenDraw.draw(p, random);
                    result[b][i] = id;
                    drawn[b * length + i] = id;
                    if (guided) {
                        drawn[(batch + b) * length + i] = id;
                    }
                }
            }
        }
        return result;
    }

    /** Returns the logits {@code rows * K} for position i, given the ids drawn before it. */
    private float[] nextLogits(NDManager step, NDArray classIds, long[] drawn, int i, int rows, KvCache cache) {
        int length = config.tokens();
        if (cache != null) {
            // The cache's arrays must outlive this step, so they live in the caller's scope.
            NDArray logits;
            if (i == 0) {
                logits = network.forwardCached(parameterStore, classIds, null, cache);
            } else {
                NDArray previous = classIds.getManager().create(column(drawn, rows, length, i - 1), new Shape(rows, 1));
                logits = network.forwardCached(parameterStore, null, previous, cache);
            }
            float[] values = logits.toFloatArray();
            logits.close();
            return values;
        }
        NDArray classes = classIds.duplicate();
        classes.attach(step);
        NDArray prefix = i == 0 ? null : step.create(prefix(drawn, rows, length, i), new Shape(rows, i));
        NDArray mask = Masks.causal(step, i + 1, 0);
        NDArray logits = network.forward(parameterStore, classes, prefix, mask, false); // (rows, i+1, K)
        return logits.get(":, -1, :").toFloatArray();
    }

    private static long[] column(long[] drawn, int rows, int length, int i) {
        long[] values = new long[rows];
        for (int r = 0; r < rows; r++) {
            values[r] = drawn[r * length + i];
        }
        return values;
    }

    private static long[] prefix(long[] drawn, int rows, int length, int count) {
        long[] values = new long[rows * count];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(drawn, r * length, values, r * count, count);
        }
        return values;
    }

    /** Loads a generator saved by a trainer or {@link #save}; see {@link Generators#load}. */
    static ArGenerator load(GeneratorConfig config, java.nio.file.Path path) {
        return loadInto(new ArGenerator(config), path);
    }

    /** Returns {@code ids} as a {@code (B, L)} int64 array in {@code manager}. */
    public static NDArray toArray(NDManager manager, int[][] ids) {
        int rows = ids.length;
        int length = ids[0].length;
        long[] flat = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < length; i++) {
                flat[r * length + i] = ids[r][i];
            }
        }
        return manager.create(flat, new Shape(rows, length)).toType(DataType.INT64, false);
    }
}
