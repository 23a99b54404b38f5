package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;

/**
 * Small factories and array helpers shared by the blocks of this package.
 *
 * <p>DJL places the result of an operation in the manager of the array the operation is called on.
 * An operation called on a parameter would therefore leave its result in the model's long-lived
 * manager and leak memory at every step. {@link #bind} makes a view of a parameter that belongs to
 * the activation's manager, so that all later operations stay in the step's scope.
 */
public final class Layers {

    /** Standard deviation of the truncated normal used for weights and learned embeddings. */
    public static final float INIT_STD = 0.02f;

    private Layers() {}

    /** Returns a linear layer {@code in -> out} with bias. */
    public static Linear linear(long out) {
        return Linear.builder().setUnits(out).optBias(true).build();
    }

    /** Returns a LayerNorm over the last axis of {@code (B, T, D)} inputs. */
    public static LayerNorm layerNorm() {
        return LayerNorm.builder().axis(2).build();
    }

    /** Returns a learned embedding parameter of the given shape, initialised like the weights. */
    public static Parameter embedding(String name, Shape shape) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optShape(shape)
                .optInitializer(new TruncatedNormalInitializer(INIT_STD))
                .build();
    }

    /**
     * Returns a view of a parameter's value that belongs to {@code activation}'s manager.
     *
     * <p>Gradients flow through the view to the parameter.
     */
    public static NDArray bind(
            ParameterStore parameterStore, Parameter parameter, NDArray activation, boolean training) {
        NDArray value = parameterStore.getValue(parameter, activation.getDevice(), training);
        NDArray view = value.reshape(value.getShape());
        view.attach(activation.getManager());
        return view;
    }

    /**
     * Returns a scalar array holding {@code value}, allocated by libtorch in {@code like}'s manager.
     *
     * <p>Use it instead of {@code mul(Number)} and friends inside a differentiable computation. DJL's
     * PyTorch engine implements {@code x.mul(2f)} with a scalar tensor that wraps a Java direct
     * buffer and closes it right after the call; when autograd saved that scalar for the backward
     * pass, the backward pass later reads memory the JVM may have reused, which gives sporadic wrong
     * or NaN gradients (observed with DJL 0.36 and libtorch 2.7.1). A libtorch-allocated scalar is
     * reference-counted by the graph and stays valid.
     */
    public static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /**
     * Overwrites {@code target}'s values with {@code source}'s, in place, outside autograd.
     *
     * <p>DJL's {@code copyTo} and {@code set(Buffer)} make the target tensor use a Java direct
     * buffer as its storage; a parameter treated that way made later training steps about 20x slower
     * (DJL 0.36, libtorch 2.7.1). Multiplying by zero and adding keeps libtorch's own storage; the
     * result equals {@code source} exactly when {@code target} contains only finite values.
     */
    public static void assign(NDArray target, NDArray source) {
        try (GradMode off = GradMode.off()) {
            target.muli(0).addi(source);
        }
    }

    /** Runs a single-input, single-output block. */
    public static NDArray forward(
            Block block, ParameterStore parameterStore, NDArray input, boolean training) {
        return block.forward(parameterStore, new NDList(input), training).singletonOrThrow();
    }

    /** Returns rows {@code [from, to)} of axis 1 of a {@code (B, T, ...)} array. */
    public static NDArray rows(NDArray x, long from, long to) {
        return x.get(new NDIndex().addAllDim().addSliceDim(from, to));
    }

    /** Initialises a block whose input has the given shape, with float32 parameters. */
    public static void initialize(Block block, NDManager manager, Shape inputShape) {
        block.initialize(manager, DataType.FLOAT32, inputShape);
    }
}
