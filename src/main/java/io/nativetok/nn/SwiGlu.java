package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The SwiGLU feed-forward block of LLaMA (Shazeer, "GLU Variants Improve Transformer", 2020):
 * {@code W2 (silu(W1 x) * W3 x)} with hidden width F and no biases.
 *
 * <p>W1 and W3 are stored as one linear layer of {@code 2F} outputs, so that both come from one
 * matrix product. Input and output {@code (B, T, D)}.
 */
public final class SwiGlu extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int hidden;
    private final Linear gateAndUp;
    private final Linear down;

    /**
     * Creates the block.
     *
     * @param width D
     * @param hidden F, the hidden width
     */
    public SwiGlu(int width, int hidden) {
        super(VERSION);
        if (hidden < 1) {
            throw new IllegalArgumentException(
                    "Invalid SwiGLU hidden width " + hidden + ": expected at least 1.");
        }
        this.hidden = hidden;
        gateAndUp = addChildBlock("gateAndUp", Linear.builder().setUnits(2L * hidden).optBias(false).build());
        down = addChildBlock("down", Linear.builder().setUnits(width).optBias(false).build());
    }

    /** Applies the block to {@code x (B, T, D)}. */
    public NDArray forward(ParameterStore parameterStore, NDArray x, boolean training) {
        NDArray both = Layers.forward(gateAndUp, parameterStore, x, training); // (B, T, 2F)
        NDList halves = both.split(new long[] {hidden}, both.getShape().dimension() - 1);
        NDArray gate = halves.get(0);
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(halves.get(1)); // (B, T, F)
        return Layers.forward(down, parameterStore, activated, training);
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
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        gateAndUp.initialize(manager, dataType, x);
        Shape hiddenShape = x.slice(0, x.dimension() - 1).add(hidden);
        down.initialize(manager, dataType, hiddenShape);
    }
}
