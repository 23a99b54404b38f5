package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Root-mean-square layer normalisation (Zhang and Sennrich, 2019), as in LLaMA: {@code x /
 * sqrt(mean(x^2) + eps) * g} over the last axis, with a learned gain g initialised to ones and no
 * bias or mean subtraction.
 *
 * <p>Input and output {@code (..., D)}.
 */
public final class RmsNorm extends AbstractBlock {

    private static final byte VERSION = 1;

    private final float epsilon;
    private final Parameter gain;

    /**
     * Creates the block.
     *
     * @param width D, the size of the last axis
     * @param epsilon added to the mean square before the square root, e.g. 1e-5
     */
    public RmsNorm(int width, float epsilon) {
        super(VERSION);
        this.epsilon = epsilon;
        gain =
                addParameter(
                        Parameter.builder()
                                .setName("gain")
                                .setType(Parameter.Type.GAMMA)
                                .optShape(new Shape(width))
                                .build());
    }

    /** Normalises {@code x} over its last axis. */
    public NDArray forward(ParameterStore parameterStore, NDArray x, boolean training) {
        NDArray g = Layers.bind(parameterStore, gain, x, training);
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        NDArray inverse = meanSquare.add(Layers.scalar(x, epsilon)).sqrt();
        return x.div(inverse).mul(g);
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
}
