package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One ViT over {@code [class token ; N patches ; L latent tokens]}: the TiTok encoder, or with
 * {@code causal} set, the naive causal-mask baseline.
 *
 * <p>TiTok uses full attention, so every latent output depends on every latent input and the tokens
 * have no order. The causal-mask variant lets latent token i attend to the patches and to latent
 * tokens 0..i, and stops patch tokens from attending to latent tokens at all; without that second
 * rule later latents would reach earlier ones through the patch rows of deeper layers.
 *
 * <p>Input images {@code (B, 3, H, W)} in [-1, 1]; output the L latent rows {@code (B, L, D)}.
 */
public final class SingleStreamEncoder extends AbstractBlock implements LatentEncoder {

    private static final byte VERSION = 1;
    private static final float BLOCKED = -1e9f;

    private final int patch;
    private final int patchCount;
    private final int width;
    private final int tokens;
    private final boolean causal;
    private final Linear patchEmbedding;
    private final Parameter classToken;
    private final Parameter positions;
    private final Parameter[] latentTokens;
    private final TransformerStack transformer;
    private final LayerNorm outputNorm;

    /**
     * Creates the encoder.
     *
     * @param imageSize H = W
     * @param patch p
     * @param tokens L
     * @param width D
     * @param depth transformer layers
     * @param heads H, dividing D
     * @param mlpRatio MLP hidden width as a multiple of D
     * @param causal true for the causal-mask baseline, false for TiTok
     */
    public SingleStreamEncoder(
            int imageSize,
            int patch,
            int tokens,
            int width,
            int depth,
            int heads,
            int mlpRatio,
            boolean causal) {
        super(VERSION);
        this.patch = patch;
        this.patchCount = (imageSize / patch) * (imageSize / patch);
        this.width = width;
        this.tokens = tokens;
        this.causal = causal;
        patchEmbedding = addChildBlock("patchEmbedding", Layers.linear(width));
        classToken = addParameter(Layers.embedding("classToken", new Shape(1, 1, width)));
        positions =
                addParameter(
                        Layers.embedding("positions", new Shape(1, patchCount + 1 + tokens, width)));
        latentTokens = new Parameter[tokens];
        for (int i = 0; i < tokens; i++) {
            latentTokens[i] = addParameter(Layers.embedding("latent" + i, new Shape(1, 1, width)));
        }
        transformer = addChildBlock("transformer", new TransformerStack(width, depth, heads, mlpRatio));
        outputNorm = addChildBlock("outputNorm", Layers.layerNorm());
    }

    @Override
    public NDArray encode(ParameterStore parameterStore, NDArray images, boolean training) {
        long batch = images.getShape().get(0);

        NDArray x = Patches.patchify(images, patch);
        x = Layers.forward(patchEmbedding, parameterStore, x, training); // (B, N, D)

        NDList parts = new NDList(tokens + 2);
        parts.add(Layers.bind(parameterStore, classToken, x, training).broadcast(batch, 1, width));
        parts.add(x);
        for (Parameter latent : latentTokens) {
            parts.add(Layers.bind(parameterStore, latent, x, training).broadcast(batch, 1, width));
        }
        x = NDArrays.concat(parts, 1); // (B, N + 1 + L, D)
        x = x.add(Layers.bind(parameterStore, positions, x, training));

        NDArray mask = causal ? causalMask(x.getManager()) : null;
        x = transformer.forward(parameterStore, x, mask, training);
        x = Layers.rows(x, patchCount + 1, patchCount + 1 + tokens); // (B, L, D)
        return Layers.forward(outputNorm, parameterStore, x, training);
    }

    /**
     * Builds the additive mask {@code (1, 1, T, T)} of the causal-mask baseline, with T = N + 1 + L:
     * patch rows see only patch columns; latent row i sees patch columns and latent columns up to i.
     */
    NDArray causalMask(NDManager manager) {
        int prefix = patchCount + 1;
        int length = prefix + tokens;
        float[] mask = new float[length * length];
        for (int row = 0; row < length; row++) {
            for (int col = 0; col < length; col++) {
                boolean allowed = col < prefix || (row >= prefix && col <= row);
                mask[row * length + col] = allowed ? 0f : BLOCKED;
            }
        }
        return manager.create(mask, new Shape(1, 1, length, length));
    }

    @Override
    public int tokens() {
        return tokens;
    }

    @Override
    public int outputWidth() {
        return width;
    }

    @Override
    public Parameter latentInput(int position) {
        return latentTokens[position];
    }

    /** Returns true for the causal-mask baseline, false for TiTok. */
    public boolean isCausal() {
        return causal;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(encode(parameterStore, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), tokens, width)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        long channels = inputShapes[0].get(1);
        patchEmbedding.initialize(
                manager, dataType, new Shape(batch, patchCount, channels * patch * patch));
        Shape sequence = new Shape(batch, patchCount + 1 + tokens, width);
        transformer.initialize(manager, dataType, sequence);
        outputNorm.initialize(manager, dataType, sequence);
    }
}
