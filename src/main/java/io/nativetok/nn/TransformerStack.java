package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stack of {@link TransformerLayer}s of one width.
 *
 * <p>Input {@code (B, T, D)}; output {@code (B, T, D)}, or {@code (B, Q, D)} when only the last Q
 * rows are requested: then every layer but the last runs over all rows (the last layer needs their
 * keys and values) and the last layer computes only the requested rows. Without autograd, each
 * layer's intermediate arrays are freed when the layer returns.
 */
public final class TransformerStack extends AbstractBlock {

    private static final byte VERSION = 1;

    private final List<TransformerLayer> layers = new ArrayList<>();

    /**
     * Creates {@code depth} layers of width {@code width}.
     *
     * @param width D
     * @param depth number of layers, at least 1
     * @param heads H; must divide D
     * @param mlpRatio MLP hidden width as a multiple of D
     */
    public TransformerStack(int width, int depth, int heads, int mlpRatio) {
        super(VERSION);
        if (depth < 1) {
            throw new IllegalArgumentException(
                    "Invalid transformer depth " + depth + ": expected at least 1 layer.");
        }
        for (int i = 0; i < depth; i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(width, heads, mlpRatio)));
        }
    }

    /**
     * Runs all layers and returns the last {@code queryRows} rows of the result.
     *
     * @param x {@code (B, T, D)}
     * @param mask additive mask {@code (1|B, 1, T, T)} used by every layer, or null; with
     *     {@code queryRows < T} the last layer uses its last Q rows
     * @param queryRows Q, between 1 and T
     * @return {@code (B, Q, D)}
     */
    public NDArray forward(
            ParameterStore parameterStore, NDArray x, NDArray mask, int queryRows, boolean training) {
        int length = Math.toIntExact(x.getShape().get(1));
        int last = layers.size() - 1;
        NDArray lastMask = mask;
        if (mask != null && queryRows < length) {
            lastMask = mask.get(":, :, {}:", length - queryRows); // (1|B, 1, Q, T)
        }
        boolean freeEachLayer = LayerScope.freesLayers(training);
        for (int i = 0; i <= last; i++) {
            TransformerLayer layer = layers.get(i);
            NDArray layerMask = i == last ? lastMask : mask;
            int rows = i == last ? queryRows : length;
            if (freeEachLayer) {
                // The caller's input is only lent; earlier layers' outputs are freed with the scope.
                x = LayerScope.apply(x, i > 0, in -> layer.forward(parameterStore, in, layerMask, rows, false));
            } else {
                x = layer.forward(parameterStore, x, layerMask, rows, training);
            }
        }
        return x;
    }

    /** Runs all layers over all rows. */
    public NDArray forward(ParameterStore parameterStore, NDArray x, NDArray mask, boolean training) {
        return forward(parameterStore, x, mask, Math.toIntExact(x.getShape().get(1)), training);
    }

    /** Returns the layers, first to last. */
    public List<TransformerLayer> layers() {
        return Collections.unmodifiableList(layers);
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
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, inputShapes[0]);
        }
    }
}
