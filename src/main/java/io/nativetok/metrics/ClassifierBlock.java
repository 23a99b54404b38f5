package io.nativetok.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.nativetok.nn.Layers;

/**
 * A VGG-style CNN classifier: three stages of two 3 x 3 convolutions with BatchNorm and ReLU, each
 * stage followed by 2 x 2 max pooling, then global average pooling and one linear layer.
 *
 * <p>Input {@code (B, 3, H, W)}, normalised as {@link FeatureNetwork} does; {@link #features}
 * returns the pooled {@code (B, F)} vector (F = the last stage's width), the input of the linear
 * layer; {@link #forward} returns the {@code (B, classes)} logits.
 */
final class ClassifierBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SequentialBlock trunk = new SequentialBlock();
    private final Linear head;

    ClassifierBlock(int[] widths, int classes) {
        super(VERSION);
        for (int width : widths) {
            for (int i = 0; i < 2; i++) {
                trunk.add(
                        Conv2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .optPadding(new Shape(1, 1))
                                .setFilters(width)
                                .optBias(false)
                                .build());
                trunk.add(BatchNorm.builder().build());
                trunk.add(Activation.reluBlock());
            }
            trunk.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        addChildBlock("trunk", trunk);
        head = addChildBlock("head", Layers.linear(classes));
    }

    /** Returns the pooled penultimate features {@code (B, F)}. */
    NDArray features(ParameterStore parameterStore, NDArray images, boolean training) {
        NDArray maps = Layers.forward(trunk, parameterStore, images, training); // (B, F, h, w)
        Shape shape = maps.getShape();
        return maps.reshape(shape.get(0), shape.get(1), -1).mean(new int[] {2}); // (B, F)
    }

    /** Returns the class logits for pooled features. */
    NDArray logits(ParameterStore parameterStore, NDArray features, boolean training) {
        return Layers.forward(head, parameterStore, features, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray features = features(parameterStore, inputs.singletonOrThrow(), training);
        return new NDList(logits(parameterStore, features, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape maps = trunk.getOutputShapes(inputShapes)[0];
        return head.getOutputShapes(new Shape[] {new Shape(maps.get(0), maps.get(1))});
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        trunk.initialize(manager, dataType, inputShapes[0]);
        Shape maps = trunk.getOutputShapes(inputShapes)[0];
        head.initialize(manager, dataType, new Shape(maps.get(0), maps.get(1)));
    }
}
