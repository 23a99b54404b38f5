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
 * The Meta Image Transformer (MIT) of NativeTok and the dimension switcher after it.
 *
 * <p>A pre-LayerNorm ViT with full attention: the image is cut into N patches, each embedded by a
 * linear layer; a learned class token is prepended and learned position embeddings are added; the
 * transformer layers and a final LayerNorm follow. The dimension switcher, one linear layer from
 * the MIT width D to the expert width De, maps all N + 1 outputs to {@code X_latent}, which every
 * expert of the {@link CausalExperts} then reads unchanged.
 *
 * <p>Input images {@code (B, 3, H, W)} scaled to [-1, 1]; output {@code X_latent (B, N + 1, De)}.
 */
public final class MetaImageTransformer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int patch;
    private final int patchCount;
    private final int width;
    private final int outputWidth;
    private final Linear patchEmbedding;
    private final Parameter classToken;
    private final Parameter positions;
    private final TransformerStack transformer;
    private final LayerNorm outputNorm;
    private final Linear switcher;

    /**
     * Creates the MIT.
     *
     * @param imageSize H = W, divisible by {@code patch}
     * @param patch p
     * @param width D
     * @param depth number of transformer layers
     * @param heads H, dividing D
     * @param mlpRatio MLP hidden width as a multiple of D
     * @param outputWidth De, the expert width the switcher maps to
     */
    public MetaImageTransformer(
            int imageSize, int patch, int width, int depth, int heads, int mlpRatio, int outputWidth) {
        super(VERSION);
        this.patch = patch;
        this.patchCount = (imageSize / patch) * (imageSize / patch);
        this.width = width;
        this.outputWidth = outputWidth;
        patchEmbedding = addChildBlock("patchEmbedding", Layers.linear(width));
        classToken = addParameter(Layers.embedding("classToken", new Shape(1, 1, width)));
        positions = addParameter(Layers.embedding("positions", new Shape(1, patchCount + 1, width)));
        transformer = addChildBlock("transformer", new TransformerStack(width, depth, heads, mlpRatio));
        outputNorm = addChildBlock("outputNorm", Layers.layerNorm());
        switcher = addChildBlock("switcher", Layers.linear(outputWidth));
    }

    /**
     * Encodes images into {@code X_latent}.
     *
     * @param images {@code (B, 3, H, W)} in [-1, 1]
     * @return {@code (B, N + 1, De)}
     */
    public NDArray forward(ParameterStore parameterStore, NDArray images, boolean training) {
        long batch = images.getShape().get(0);

        NDArray x = Patches.patchify(images, patch); // (B, N, p*p*3)
        x = Layers.forward(patchEmbedding, parameterStore, x, training); // (B, N, D)

        NDArray cls = Layers.bind(parameterStore, classToken, x, training).broadcast(batch, 1, width);
        x = NDArrays.concat(new NDList(cls, x), 1); // (B, N + 1, D)
        x = x.add(Layers.bind(parameterStore, positions, x, training));

        x = transformer.forward(parameterStore, x, null, training);
        x = Layers.forward(outputNorm, parameterStore, x, training);
        return Layers.forward(switcher, parameterStore, x, training); // (B, N + 1, De)
    }

    /** Returns N, the number of patches. */
    public int patchCount() {
        return patchCount;
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
        long batch = inputShapes[0].get(0);
        return new Shape[] {new Shape(batch, patchCount + 1, outputWidth)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        long channels = inputShapes[0].get(1);
        patchEmbedding.initialize(
                manager, dataType, new Shape(batch, patchCount, channels * patch * patch));
        Shape tokens = new Shape(batch, patchCount + 1, width);
        transformer.initialize(manager, dataType, tokens);
        outputNorm.initialize(manager, dataType, tokens);
        switcher.initialize(manager, dataType, tokens);
    }
}
