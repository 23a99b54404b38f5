package io.nativetok.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.nativetok.nn.KvCache;
import io.nativetok.nn.LayerScope;
import io.nativetok.nn.Layers;
import io.nativetok.nn.LlamaLayer;
import io.nativetok.nn.RmsNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * The network both generators share: a class token followed by token embeddings, learned 1-D
 * position embeddings, {@link LlamaLayer}s, a final RMSNorm and a linear head over the K codes.
 *
 * <p>Shapes: B batch, n positions fed, D width, V input ids (K for the autoregressive generator,
 * K + 1 with [MASK] for MaskGIT), K output ids, C classes (class id C is the null class). The
 * sequence is {@code [class ; tokens]}; position j of the sequence gets position embedding j, so
 * the class token is position 0. The positions are 1-D because L need not be a square number.
 */
final class TokenTransformer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int width;
    private final int positionCount;
    private final Parameter classEmbedding;
    private final Parameter tokenEmbedding;
    private final Parameter positions;
    private final List<LlamaLayer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Linear head;

    /**
     * Creates the network.
     *
     * @param inputIds V, the number of token ids it reads
     * @param positionCount the longest sequence, class token included
     */
    TokenTransformer(GeneratorConfig config, int inputIds, int positionCount) {
        super(VERSION);
        this.width = config.width();
        this.positionCount = positionCount;
        classEmbedding = addParameter(Layers.embedding("classEmbedding", new Shape(config.classes() + 1, width)));
        tokenEmbedding = addParameter(Layers.embedding("tokenEmbedding", new Shape(inputIds, width)));
        positions = addParameter(Layers.embedding("positions", new Shape(positionCount, width)));
        for (int i = 0; i < config.depth(); i++) {
            layers.add(addChildBlock("layer" + i, new LlamaLayer(width, config.heads(), config.mlpHidden())));
        }
        norm = addChildBlock("norm", new RmsNorm(width, 1e-5f));
        head = addChildBlock("head", Linear.builder().setUnits(config.codebookSize()).optBias(false).build());
    }

    /**
     * Runs the sequence {@code [class ; tokens]} through every layer. Without autograd each layer's
     * intermediate arrays are freed when the layer returns.
     *
     * @param classes {@code (B)} int64 class ids, or null to start the sequence with the tokens
     * @param tokens {@code (B, T)} int64 token ids, or null for the class token alone
     * @param mask additive {@code (1, 1, n, n)} mask, or null for full attention
     * @return logits {@code (B, n, K)} with n = T + 1 (T without classes)
     */
    NDArray forward(ParameterStore parameterStore, NDArray classes, NDArray tokens, NDArray mask, boolean training) {
        NDArray x = embed(parameterStore, classes, tokens, 0, training); // (B, n, D)
        boolean freeEachLayer = LayerScope.freesLayers(training);
        for (LlamaLayer layer : layers) {
            if (freeEachLayer) {
                x = LayerScope.apply(x, true, in -> layer.forward(parameterStore, in, mask, false));
            } else {
                x = layer.forward(parameterStore, x, mask, training);
            }
        }
        return logits(parameterStore, x, training);
    }

    /**
     * Feeds the next positions of a sequence whose earlier positions are in {@code cache}.
     *
     * @param classes {@code (B)} class ids to feed first, or null
     * @param tokens {@code (B, T)} token ids to feed after them, or null
     * @return logits {@code (B, n, K)} of the fed positions
     */
    NDArray forwardCached(ParameterStore parameterStore, NDArray classes, NDArray tokens, KvCache cache) {
        int offset = cache.length();
        NDArray x = embed(parameterStore, classes, tokens, offset, false); // (B, n, D)
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forwardCached(parameterStore, x, cache, i);
        }
        cache.setLength(offset + Math.toIntExact(x.getShape().get(1)));
        return logits(parameterStore, x, false);
    }

    /** Returns an empty cache for this network's layers. */
    KvCache newCache() {
        return new KvCache(layers.size());
    }

    private NDArray embed(
            ParameterStore parameterStore, NDArray classes, NDArray tokens, int offset, boolean training) {
        NDArray anchor = classes != null ? classes : tokens;
        List<NDArray> parts = new ArrayList<>();
        if (classes != null) {
            NDArray table = Layers.bind(parameterStore, classEmbedding, anchor, training);
            parts.add(lookup(classes.reshape(-1, 1), table)); // (B, 1, D)
        }
        if (tokens != null) {
            NDArray table = Layers.bind(parameterStore, tokenEmbedding, anchor, training);
            parts.add(lookup(tokens, table)); // (B, T, D)
        }
        NDArray x = parts.size() == 1 ? parts.get(0) : parts.get(0).concat(parts.get(1), 1);
        long length = x.getShape().get(1);
        if (offset + length > positionCount) {
            throw new IllegalArgumentException(
                    "Invalid sequence of " + (offset + length) + " positions: this generator has "
                            + positionCount + " position embeddings.");
        }
        NDArray table = Layers.bind(parameterStore, positions, anchor, training);
        return x.add(table.get("{}:{}", offset, offset + length)); // (B, n, D)
    }

    private static NDArray lookup(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray logits(ParameterStore parameterStore, NDArray x, boolean training) {
        NDArray normed = norm.forward(parameterStore, x, training);
        return Layers.forward(head, parameterStore, normed, training); // (B, n, K)
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray mask = inputs.size() > 2 ? inputs.get(2) : null;
        return new NDList(forward(parameterStore, inputs.get(0), inputs.get(1), mask, training));
    }

    /** Takes the shape of the embedded sequence, {@code (B, n, D)}, and returns {@code (B, n, K)}. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return head.getOutputShapes(new Shape[] {x});
    }

    /** Initialises the layers for an embedded sequence of shape {@code (B, n, D)}. */
    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        for (LlamaLayer layer : layers) {
            layer.initialize(manager, dataType, x);
        }
        norm.initialize(manager, dataType, x);
        head.initialize(manager, dataType, x);
    }

    /** Returns the shape to pass to {@code initialize}: one full sequence of width D. */
    Shape initializationShape() {
        return new Shape(1, positionCount, width);
    }
}
