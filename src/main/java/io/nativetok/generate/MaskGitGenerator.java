package io.nativetok.generate;

import io.nativetok.nn.GradMode;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A MaskGIT-style class-conditional generator (Chang et al., "MaskGIT: Masked Generative Image
 * Transformer", CVPR 2022): a bidirectional transformer over {@code [class ; z_0 .. z_{L-1}]} in
 * which some tokens are replaced by the [MASK] id K.
 *
 * <p>Training draws u ~ U(0, 1) per sample and masks {@code ceil(cos(pi/2 u) L)} tokens (at least
 * one) at random positions; the loss is the cross-entropy of the masked tokens only. This is
 * MaskGIT's cosine mask schedule, which the NativeTok paper calls the arccos schedule.
 *
 * <p>Sampling starts from all [MASK] and runs S steps. Step s (1-based) draws an id for every masked
 * position, then keeps the drawn ids except the {@code floor(L cos(pi/2 s/S))} least confident,
 * which are masked again (at least one stays masked and at least one is revealed before the last
 * step; the last step reveals everything). Confidence is the drawn id's probability; with a
 * Gumbel temperature t it is {@code log p + t (1 - s/S) g} with Gumbel noise g, as in MaskGIT.
 * Already revealed tokens never change.
 */
public final class MaskGitGenerator extends BaseGenerator {

    /** The checkpoint kind. */
    public static final String KIND = "maskgit-generator";

    /** Creates a generator with freshly initialised parameters. */
    public MaskGitGenerator(GeneratorConfig config) {
        super(requireKind(config), config.codebookSize() + 1, config.tokens() + 1);
    }

    private static GeneratorConfig requireKind(GeneratorConfig config) {
        if (config.kind() != GeneratorKind.MASKGIT) {
            throw new IllegalArgumentException(
                    "Invalid generator kind " + config.kind().id() + " for MaskGitGenerator: expected maskgit.");
        }
        return config;
    }

    @Override
    String checkpointKind() {
        return KIND;
    }

    /** Returns the [MASK] id, K. */
    public int maskId() {
        return config.codebookSize();
    }

    /**
     * Computes the logits of every token position.
     *
     * @param tokens {@code (B, L)} int64 ids, K where masked
     * @param classes {@code (B)} int64 class ids, C for the null class
     * @return {@code (B, L, K)} in {@code tokens}' manager
     */
    public NDArray logits(NDArray tokens, NDArray classes, boolean training) {
        NDArray all = network.forward(parameterStore, classes, tokens, null, training); // (B, L+1, K)
        return all.get(":, 1:, :"); // (B, L, K)
    }

    /** Returns the number of tokens to mask for a uniform draw u: {@code ceil(cos(pi/2 u) L)}, 1 to L. */
    static int maskCount(double u, int length) {
        int count = (int) Math.ceil(Math.cos(Math.PI / 2 * u) * length);
        return Math.max(1, Math.min(length, count));
    }

    @Override
    public BatchLoss loss(NDArray tokens, NDArray classes, SplittableRandom random, boolean training) {
        NDManager scope = tokens.getManager();
        int batch = Math.toIntExact(tokens.getShape().get(0));
        int length = config.tokens();
        long[] kept = dropClasses(classes, random, training);
        long[] ids = tokens.toLongArray();
        float[] masked = new float[batch * length];
        for (int b = 0; b < batch; b++) {
            int[] order = permutation(length, random);
            int count = maskCount(random.nextDouble(), length);
            for (int j = 0; j < count; j++) {
                int position = b * length + order[j];
                masked[position] = 1f;
                ids[position] = maskId();
            }
        }
        NDArray inputs = scope.create(ids, new Shape(batch, length));
        NDArray weights = scope.create(masked, new Shape(batch, length));
        NDArray logits = logits(inputs, scope.create(kept), training); // (B, L, K)
        NDArray maskedCount = weights.sum();
        NDArray loss = crossEntropy(logits, tokens).mul(weights).sum().div(maskedCount);
        NDArray correct = logits.argMax(-1).eq(tokens).toType(DataType.FLOAT32, false).mul(weights).sum();
        long predicted = 0;
        for (float m : masked) {
            predicted += (long) m;
        }
        return new BatchLoss(loss, correct, predicted);
    }

    private static int[] permutation(int length, SplittableRandom random) {
        int[] order = new int[length];
        for (int i = 0; i < length; i++) {
            order[i] = i;
        }
        for (int i = length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    @Override
    public int[][] sample(int[] classes, SamplingOptions options) {
        try (GradMode off = GradMode.off()) {
            return sampleWithoutGrad(classes, options);
        }
    }

    private int[][] sampleWithoutGrad(int[] classes, SamplingOptions options) {
        checkClasses(classes);
        options.check(config);
        int batch = classes.length;
        int length = config.tokens();
        int codes = config.codebookSize();
        int steps = options.steps();
        boolean guided = options.cfgScale() != 1f;
        SplittableRandom random = new SplittableRandom(options.seed());

        int[][] ids = new int[batch][length];
        for (int[] row : ids) {
            Arrays.fill(row, maskId());
        }

        try (NDManager scope = manager.newSubManager()) {
            NDArray classIds = scope.create(samplingClasses(classes, guided, config.classes()));
            for (int s = 1; s <= steps; s++) {
                float[] logits;
                try (NDManager step = scope.newSubManager()) {
                    NDArray inputs = step.create(inputRows(ids, guided), new Shape(classIds.getShape().get(0), length));
                    NDArray classesInStep = classIds.duplicate();
                    classesInStep.attach(step);
                    logits = logits(inputs, classesInStep, false).toFloatArray(); // rows * L * K
                }

                float[] rows = guided ? TokenDraw.guide(logits, batch * length, codes, options.cfgScale()) : logits;
                double ratio = (double) s / steps;
                for (int b = 0; b < batch; b++) {
                    revealStep(ids[b], rows, b, codes, options, ratio, s == steps, random);
                }
            }
        }
        return ids;
    }

    /** Draws ids for the masked positions of one sequence and re-masks the least confident ones. */
    private void revealStep(
            int[] row, float[] logits, int b, int codes, SamplingOptions options, double ratio, boolean last,
            SplittableRandom random) {
        int length = row.length;
        int[] drawn = new int[length];
        double[] confidence = new double[length];
        int unknown = 0;
        for (int i = 0; i < length; i++) {
            if (row[i] != maskId()) {
                drawn[i] = row[i];
                confidence[i] = Double.POSITIVE_INFINITY;
                continue;
            }
            unknown++;
            int offset = (b * length + i) * codes;
            double[] p = TokenDraw.distribution(logits, offset, codes, options.temperature(), options.topK());
            drawn[i] = TokenDraw.draw(p, random);
            double noise = -Math.log(-Math.log(Math.max(random.nextDouble(), 1e-20)));
            confidence[i] = Math.log(p[drawn[i]]) + options.gumbelTemperature() * (1 - ratio) * noise;
        }
        int remasked = 0;
        if (!last) {
            int scheduled = (int) Math.floor(length * Math.cos(Math.PI / 2 * ratio));
            remasked = Math.max(1, Math.min(unknown - 1, scheduled));
            remasked = Math.max(0, remasked);
        }
        Integer[] order = new Integer[length];
        for (int i = 0; i < length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(confidence[x], confidence[y]));
        for (int i = 0; i < length; i++) {
            row[i] = drawn[i];
        }
        for (int j = 0; j < remasked; j++) {
            row[order[j]] = maskId();
        }
    }

    /** Returns the input ids, repeated for the null-class rows when guided. */
    private static long[] inputRows(int[][] ids, boolean guided) {
        int length = ids[0].length;
        int rows = ids.length;
        long[] flat = new long[(guided ? 2 : 1) * rows * length];
        for (int copy = 0; copy < (guided ? 2 : 1); copy++) {
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < length; i++) {
                    flat[(copy * rows + r) * length + i] = ids[r][i];
                }
            }
        }
        return flat;
    }

    /** Loads a generator saved by a trainer or {@link #save}; see {@link Generators#load}. */
    static MaskGitGenerator load(GeneratorConfig config, java.nio.file.Path path) {
        return loadInto(new MaskGitGenerator(config), path);
    }
}
