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
 * Multi-head scaled dot-product self-attention with an optional additive mask.
 *
 * <p>Shapes: B batch, T sequence length, Q query rows ({@code Q <= T}), D width, H heads, E = D / H
 * per-head width. Input {@code x (B, T, D)}, output {@code (B, Q, D)}. Queries are taken from the
 * last Q rows of {@code x}; keys and values from all T rows. Computing only the last rows is exact
 * for those rows and is how an expert's last layer skips the rows it throws away.
 *
 * <p>The mask is added to the attention logits and has shape {@code (1, 1, Q, T)} or {@code (B, 1,
 * Q, T)}; use 0 for allowed and a large negative value for blocked pairs.
 */
public final class MultiHeadAttention extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int width;
    private final int heads;
    private final Linear query;
    private final Linear keyValue;
    private final Linear output;

    /**
     * Creates the block.
     *
     * @param width D, the model width; must be divisible by {@code heads}
     * @param heads H, the number of heads
     */
    public MultiHeadAttention(int width, int heads) {
        super(VERSION);
        if (heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException(
                    "Invalid attention heads: width "
                            + width
                            + " is not divisible by "
                            + heads
                            + " heads. Choose a head count that divides the width.");
        }
        this.width = width;
        this.heads = heads;
        query = addChildBlock("query", Layers.linear(width));
        keyValue = addChildBlock("keyValue", Layers.linear(2L * width));
        output = addChildBlock("output", Layers.linear(width));
    }

    /**
     * Attends from the last {@code queryRows} rows of {@code x} to all its rows.
     *
     * @param x {@code (B, T, D)}
     * @param mask additive mask {@code (1|B, 1, Q, T)}, or null for full attention
     * @param queryRows Q, between 1 and T
     * @return {@code (B, Q, D)}
     */
    public NDArray attend(
            ParameterStore parameterStore, NDArray x, NDArray mask, int queryRows, boolean training) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        long headWidth = width / heads;

        NDArray queryInput = queryRows == length ? x : Layers.rows(x, length - queryRows, length);
        NDArray q = Layers.forward(query, parameterStore, queryInput, training);
        q = q.mul(Layers.scalar(q, (float) (1.0 / Math.sqrt(headWidth))));
        q = q.reshape(batch, queryRows, heads, headWidth).transpose(0, 2, 1, 3); // (B, H, Q, E)

        NDArray kv = Layers.forward(keyValue, parameterStore, x, training);
        // Split rather than two selects, because the backward of split is one concatenation
        // instead of two zero-filled (B, T, 2, H, E) gradients.
        NDList keysAndValues = kv.reshape(batch, length, 2, heads, headWidth).split(2, 2); // 2 x (B, T, 1, H, E)
        NDArray k = keysAndValues.get(0).reshape(batch, length, heads, headWidth).transpose(0, 2, 1, 3); // (B, H, T, E)
        NDArray v = keysAndValues.get(1).reshape(batch, length, heads, headWidth).transpose(0, 2, 1, 3);

        NDArray logits = q.matMul(k.transpose(0, 1, 3, 2)); // (B, H, Q, T)
        if (mask != null) {
            logits = logits.add(mask);
        }
        NDArray weights = logits.softmax(-1);

        NDArray mixed = weights.matMul(v); // (B, H, Q, E)
        mixed = mixed.transpose(0, 2, 1, 3).reshape(batch, queryRows, width); // (B, Q, D)
        return Layers.forward(output, parameterStore, mixed, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : null;
        int length = Math.toIntExact(x.getShape().get(1));
        return new NDList(attend(parameterStore, x, mask, length, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        query.initialize(manager, dataType, x);
        keyValue.initialize(manager, dataType, x);
        output.initialize(manager, dataType, x);
    }

    /** Returns D, the width. */
    public int width() {
        return width;
    }

    /** Returns H, the number of heads. */
    public int heads() {
        return heads;
    }
}
