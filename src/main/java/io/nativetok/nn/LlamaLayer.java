package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A LLaMA-style transformer layer as used by LlamaGen: {@code x + Attention(RMSNorm(x))}, then
 * {@code x + SwiGLU(RMSNorm(x))}, without biases.
 *
 * <p>Input and output {@code (B, T, D)}. {@link #forwardCached} runs only new positions against a
 * {@link KvCache}; it computes the same rows as {@link #forward} with a causal mask.
 */
public final class LlamaLayer extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float EPSILON = 1e-5f;

    private final RmsNorm attentionNorm;
    private final SelfAttention attention;
    private final RmsNorm mlpNorm;
    private final SwiGlu mlp;

    /**
     * Creates the layer.
     *
     * @param width D
     * @param heads H; must divide D
     * @param mlpHidden hidden width of the SwiGLU block
     */
    public LlamaLayer(int width, int heads, int mlpHidden) {
        super(VERSION);
        attentionNorm = addChildBlock("attentionNorm", new RmsNorm(width, EPSILON));
        attention = addChildBlock("attention", new SelfAttention(width, heads));
        mlpNorm = addChildBlock("mlpNorm", new RmsNorm(width, EPSILON));
        mlp = addChildBlock("mlp", new SwiGlu(width, mlpHidden));
    }

    /**
     * Runs the layer over all positions.
     *
     * @param x {@code (B, T, D)}
     * @param mask additive {@code (1, 1, T, T)} mask, or null for full attention
     */
    public NDArray forward(ParameterStore parameterStore, NDArray x, NDArray mask, boolean training) {
        NDArray normed = attentionNorm.forward(parameterStore, x, training);
        NDArray y = x.add(attention.forward(parameterStore, normed, mask, training));
        return y.add(mlp.forward(parameterStore, mlpNorm.forward(parameterStore, y, training), training));
    }

    /** Runs the layer over new positions {@code (B, n, D)} with this layer's entry of {@code cache}. */
    public NDArray forwardCached(ParameterStore parameterStore, NDArray x, KvCache cache, int layer) {
        NDArray normed = attentionNorm.forward(parameterStore, x, false);
        NDArray y = x.add(attention.forwardCached(parameterStore, normed, cache, layer));
        return y.add(mlp.forward(parameterStore, mlpNorm.forward(parameterStore, y, false), false));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        return new NDList(forward(parameterStore, inputs.get(0), mask, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        attentionNorm.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, x);
        mlpNorm.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
    }
}
