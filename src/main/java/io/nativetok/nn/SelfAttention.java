package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head self-attention without biases, as in LLaMA, that can also run incrementally with a
 * {@link KvCache}.
 *
 * <p>Shapes: B batch, T positions, D width, H heads, E = D / H. {@link #forward} takes {@code x
 * (B, T, D)} and an additive mask {@code (1, 1, T, T)} (0 allowed, a large negative value blocked)
 * or null for full attention. {@link #forwardCached} takes only the n new positions {@code (B, n,
 * D)}, appends their keys and values to the cache and lets each new position attend to every
 * cached position and to the new positions up to itself, which is the causal mask.
 */
public final class SelfAttention extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int width;
    private final int heads;
    private final Linear queryKeyValue;
    private final Linear output;

    /**
     * Creates the block.
     *
     * @param width D; must be divisible by {@code heads}
     * @param heads H
     */
    public SelfAttention(int width, int heads) {
        super(VERSION);
        if (heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException(
                    "Invalid attention heads: width " + width + " is not divisible by " + heads
                            + " heads. Choose a head count that divides the width.");
        }
        this.width = width;
        this.heads = heads;
        queryKeyValue = addChildBlock("queryKeyValue", Linear.builder().setUnits(3L * width).optBias(false).build());
        output = addChildBlock("output", Linear.builder().setUnits(width).optBias(false).build());
    }

    /**
     * Attends over all positions of {@code x}.
     *
     * @param x {@code (B, T, D)}
     * @param mask additive {@code (1, 1, T, T)} mask, or null
     * @return {@code (B, T, D)}
     */
    public NDArray forward(ParameterStore parameterStore, NDArray x, NDArray mask, boolean training) {
        NDArray[] qkv = project(parameterStore, x, training);
        return attend(parameterStore, qkv[0], qkv[1], qkv[2], mask, training);
    }

    /**
     * Attends from the new positions {@code x} to the cached ones and to themselves (causally), and
     * appends their keys and values to {@code cache}.
     *
     * @param x {@code (B, n, D)}, the positions that follow the cached ones
     * @param layer this block's index in the cache
     * @return {@code (B, n, D)}
     */
    public NDArray forwardCached(ParameterStore parameterStore, NDArray x, KvCache cache, int layer) {
        long past = cache.cached(layer);
        long fresh = x.getShape().get(1);
        NDArray[] qkv = project(parameterStore, x, false);
        NDArray[] keyValue = cache.append(layer, qkv[1], qkv[2]);
        NDArray mask = fresh == 1 ? null : Masks.causal(x.getManager(), fresh, past);
        return attend(parameterStore, qkv[0], keyValue[0], keyValue[1], mask, false);
    }

    /** Returns queries, keys and values {@code (B, H, T, E)} of {@code x}. */
    private NDArray[] project(ParameterStore parameterStore, NDArray x, boolean training) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        long headWidth = width / heads;
        NDArray qkv = Layers.forward(queryKeyValue, parameterStore, x, training); // (B, T, 3D)
        qkv = qkv.reshape(batch, length, 3, heads, headWidth).transpose(2, 0, 3, 1, 4); // (3, B, H, T, E)
        return new NDArray[] {qkv.get(0), qkv.get(1), qkv.get(2)};
    }

    private NDArray attend(
            ParameterStore parameterStore, NDArray q, NDArray k, NDArray v, NDArray mask, boolean training) {
        long batch = q.getShape().get(0);
        long queries = q.getShape().get(2);
        long headWidth = width / heads;
        q = q.mul(Layers.scalar(q, (float) (1.0 / Math.sqrt(headWidth))));
        NDArray logits = q.matMul(k.transpose(0, 1, 3, 2)); // (B, H, n, T)
        if (mask != null) {
            logits = logits.add(mask);
        }
        NDArray mixed = logits.softmax(-1).matMul(v); // (B, H, n, E)
        mixed = mixed.transpose(0, 2, 1, 3).reshape(batch, queries, width); // (B, n, D)
        return Layers.forward(output, parameterStore, mixed, training);
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
        queryKeyValue.initialize(manager, dataType, inputShapes[0]);
        output.initialize(manager, dataType, inputShapes[0]);
    }
}
