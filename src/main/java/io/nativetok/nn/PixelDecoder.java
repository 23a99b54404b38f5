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
 * The decoder: a bidirectional ViT over N mask tokens and L token embeddings, then pixels.
 *
 * <p>The sequence is {@code [m + pos_0 .. m + pos_{N-1} ; W q_0 + lat_0 .. W q_{L-1} + lat_{L-1}]}:
 * one learned mask token m plus a position embedding per patch, and each code {@code q_i (C)}
 * projected to the decoder width Dd plus a latent position embedding. After the transformer and a
 * LayerNorm, the N mask-token outputs are mapped linearly to {@code p*p*3} pixel values each and
 * reassembled into the image. A prefix of the tokens can be decoded by passing fewer than L codes;
 * the missing positions are then filled with a learned "absent token" embedding.
 *
 * <p>Input codes {@code (B, L', C)} with {@code L' <= L}; output images {@code (B, 3, H, W)} in the
 * model's [-1, 1] pixel scale (not clipped).
 */
public final class PixelDecoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int imageSize;
    private final int patch;
    private final int patchCount;
    private final int width;
    private final Linear tokenEmbedding;
    private final Parameter maskToken;
    private final Parameter positions;
    private Parameter latentPositions;
    private final Parameter absentToken;
    private final TransformerStack transformer;
    private final LayerNorm outputNorm;
    private final Linear toPixels;
    private int tokens;

    /**
     * Creates the decoder.
     *
     * @param imageSize H = W
     * @param patch p
     * @param tokens L, the number of latent tokens
     * @param width Dd
     * @param depth number of transformer layers
     * @param heads H, dividing Dd
     * @param mlpRatio MLP hidden width as a multiple of Dd
     */
    public PixelDecoder(
            int imageSize, int patch, int tokens, int width, int depth, int heads, int mlpRatio) {
        super(VERSION);
        this.imageSize = imageSize;
        this.patch = patch;
        this.patchCount = (imageSize / patch) * (imageSize / patch);
        this.width = width;
        this.tokens = tokens;
        tokenEmbedding = addChildBlock("tokenEmbedding", Layers.linear(width));
        maskToken = addParameter(Layers.embedding("maskToken", new Shape(1, 1, width)));
        positions = addParameter(Layers.embedding("positions", new Shape(1, patchCount, width)));
        latentPositions =
                addParameter(Layers.embedding("latentPositions", new Shape(1, tokens, width)));
        absentToken = addParameter(Layers.embedding("absentToken", new Shape(1, 1, width)));
        transformer = addChildBlock("transformer", new TransformerStack(width, depth, heads, mlpRatio));
        outputNorm = addChildBlock("outputNorm", Layers.layerNorm());
        toPixels = addChildBlock("toPixels", Layers.linear(3L * patch * patch));
    }

    /**
     * Decodes codes into images.
     *
     * @param codes {@code (B, L', C)}, the first L' of L tokens ({@code 1 <= L' <= L})
     * @return {@code (B, 3, H, W)}
     */
    public NDArray forward(ParameterStore parameterStore, NDArray codes, boolean training) {
        long batch = codes.getShape().get(0);
        long present = codes.getShape().get(1);

        NDArray latents = Layers.forward(tokenEmbedding, parameterStore, codes, training); // (B, L', Dd)
        if (present < tokens) {
            NDArray absent = Layers.bind(parameterStore, absentToken, latents, training);
            absent = absent.broadcast(batch, tokens - present, width);
            latents = NDArrays.concat(new NDList(latents, absent), 1); // (B, L, Dd)
        }
        latents = latents.add(Layers.bind(parameterStore, latentPositions, latents, training));

        NDArray masks = Layers.bind(parameterStore, positions, latents, training);
        masks = masks.add(Layers.bind(parameterStore, maskToken, latents, training));
        masks = masks.broadcast(batch, patchCount, width); // (B, N, Dd)

        NDArray x = NDArrays.concat(new NDList(masks, latents), 1); // (B, N + L, Dd)
        x = transformer.forward(parameterStore, x, null, training);
        x = Layers.rows(x, 0, patchCount); // (B, N, Dd)
        x = Layers.forward(outputNorm, parameterStore, x, training);
        x = Layers.forward(toPixels, parameterStore, x, training); // (B, N, p*p*3)
        return Patches.unpatchify(x, patch, imageSize, imageSize);
    }

    /**
     * Extends the latent position embeddings to {@code newTokens} positions; the existing rows are
     * kept and the new rows initialised like the others.
     */
    public void growTokens(int newTokens, NDManager manager) {
        if (newTokens <= tokens) {
            throw new IllegalArgumentException(
                    "Cannot grow the decoder from " + tokens + " to " + newTokens
                            + " tokens: the new length must be larger.");
        }
        NDArray old = latentPositions.getArray();
        NDManager owner = old.getManager();
        Shape extraShape = new Shape(1, newTokens - tokens, width);
        try (NDArray extra =
                owner.truncatedNormal(0f, Layers.INIT_STD, extraShape, DataType.FLOAT32)) {
            NDArray grown = old.concat(extra, 1);
            grown.setRequiresGradient(true);
            // DJL fixes a parameter's shape once set, so the grown embedding is a new parameter
            // registered under the same name, which keeps its place in the saved parameter order.
            latentPositions =
                    addParameter(
                            Parameter.builder()
                                    .setName("latentPositions")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(grown.getShape())
                                    .optArray(grown)
                                    .build());
        }
        old.close();
        tokens = newTokens;
    }

    /** Returns the latent position embeddings {@code (1, L, Dd)}. */
    public Parameter latentPositions() {
        return latentPositions;
    }

    /** Returns L, the number of latent tokens the decoder accepts. */
    public int tokens() {
        return tokens;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(forward(parameterStore, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 3, imageSize, imageSize)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        tokenEmbedding.initialize(manager, dataType, inputShapes[0]);
        Shape sequence = new Shape(batch, patchCount + tokens, width);
        transformer.initialize(manager, dataType, sequence);
        outputNorm.initialize(manager, dataType, sequence);
        toPixels.initialize(manager, dataType, sequence);
    }
}
