package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-LayerNorm transformer layer: {@code x + Attention(LN(x))}, then {@code x + MLP(LN(x))}
 * with a GELU MLP of hidden width {@code mlpRatio * D}.
 *
 * <p>Input {@code (B, T, D)}; output {@code (B, Q, D)} for the last Q rows (Q = T by default). DJL's
 * own {@code TransformerEncoderBlock} uses BatchNorm and a different residual, so this layer is
 * written out.
 */
public final class TransformerLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final LayerNorm attentionNorm;
    private final MultiHeadAttention attention;
    private final LayerNorm mlpNorm;
    private final Linear mlpIn;
    private final Linear mlpOut;

    /**
     * Creates the layer.
     *
     * @param width D
     * @param heads H; must divide D
     * @param mlpRatio hidden width of the MLP as a multiple of D
     */
    public TransformerLayer(int width, int heads, int mlpRatio) {
        super(VERSION);
        attentionNorm = addChildBlock("attentionNorm", Layers.layerNorm());
        attention = addChildBlock("attention", new MultiHeadAttention(width, heads));
        mlpNorm = addChildBlock("mlpNorm", Layers.layerNorm());
        mlpIn = addChildBlock("mlpIn", Layers.linear((long) mlpRatio * width));
        mlpOut = addChildBlock("mlpOut", Layers.linear(width));
    }

    /**
     * Runs the layer for the last {@code queryRows} rows of {@code x}.
     *
     * @param x {@code (B, T, D)}
     * @param mask additive attention mask {@code (1|B, 1, Q, T)} or null
     * @param queryRows Q, between 1 and T
     * @return {@code (B, Q, D)}
     */
    public NDArray forward(
            ParameterStore parameterStore, NDArray x, NDArray mask, int queryRows, boolean training) {
        long length = x.getShape().get(1);
        NDArray residual = queryRows == length ? x : Layers.rows(x, length - queryRows, length);

        NDArray normed = Layers.forward(attentionNorm, parameterStore, x, training);
        NDArray y = residual.add(attention.attend(parameterStore, normed, mask, queryRows, training));

        NDArray hidden = Layers.forward(mlpNorm, parameterStore, y, training);
        hidden = Activation.gelu(Layers.forward(mlpIn, parameterStore, hidden, training));
        return y.add(Layers.forward(mlpOut, parameterStore, hidden, training));
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
        return new NDList(forward(parameterStore, x, mask, length, training));
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
        mlpIn.initialize(manager, dataType, x);
        Shape hidden = mlpIn.getOutputShapes(new Shape[] {x})[0];
        mlpOut.initialize(manager, dataType, hidden);
    }
}
