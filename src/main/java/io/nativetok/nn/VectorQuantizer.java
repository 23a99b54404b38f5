package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Vector quantizer with an l2-normalised codebook, as in TiTok.
 *
 * <p>Steps: LayerNorm, a linear projection from the encoder width De to the code dimension C, l2
 * normalisation; then the nearest codebook entry by cosine similarity (both sides normalised, so
 * this is the Euclidean nearest neighbour on the unit sphere). The loss is {@code
 * mean((q - sg(e))^2) + beta * mean((sg(q) - e)^2)}, the codebook term plus beta times the
 * commitment term, where e is the normalised projection and q its quantized value. The output uses
 * the straight-through estimator {@code e + sg(q - e)}: its value is q and its gradient reaches the
 * encoder as if quantization were the identity.
 *
 * <p>Input {@code h (B, L, De)}; output a {@link Result} with codes {@code (B, L, C)} and token ids
 * {@code (B, L)}.
 */
public final class VectorQuantizer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int codebookSize;
    private final int codeDim;
    private final float commitmentWeight;
    private final LayerNorm norm;
    private final Linear projection;
    private final Parameter codebook;

    /**
     * Creates the quantizer.
     *
     * @param codebookSize K, the number of codebook entries
     * @param codeDim C, the code dimension
     * @param commitmentWeight beta, the weight of the commitment term (0.25 in TiTok)
     */
    public VectorQuantizer(int codebookSize, int codeDim, float commitmentWeight) {
        super(VERSION);
        this.codebookSize = codebookSize;
        this.codeDim = codeDim;
        this.commitmentWeight = commitmentWeight;
        norm = addChildBlock("norm", Layers.layerNorm());
        projection = addChildBlock("projection", Layers.linear(codeDim));
        codebook =
                addParameter(
                        Parameter.builder()
                                .setName("codebook")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(codebookSize, codeDim))
                                .optInitializer(
                                        new ai.djl.training.initializer.UniformInitializer(
                                                1f / codebookSize))
                                .build());
    }

    /**
     * The quantizer's output for one batch.
     *
     * @param codes straight-through codes {@code (B, L, C)}: value q, gradient to the encoder
     * @param ids token ids {@code (B, L)}, int64
     * @param projected the normalised encoder outputs e {@code (B, L, C)} before quantization
     * @param codebookLoss {@code mean((q - sg(e))^2)}
     * @param commitmentLoss {@code mean((sg(q) - e)^2)}
     * @param loss codebook loss plus beta times commitment loss
     */
    public record Result(
            NDArray codes,
            NDArray ids,
            NDArray projected,
            NDArray codebookLoss,
            NDArray commitmentLoss,
            NDArray loss) {}

    /**
     * Projects and normalises encoder outputs: {@code (B, L, De) -> (B, L, C)}, unit length.
     */
    public NDArray project(ParameterStore parameterStore, NDArray h, boolean training) {
        NDArray z = Layers.forward(norm, parameterStore, h, training);
        z = Layers.forward(projection, parameterStore, z, training);
        return z.normalize(2, 2, 1e-12);
    }

    /**
     * Quantizes encoder outputs.
     *
     * @param h {@code (B, L, De)}
     * @return straight-through codes {@code (B, L, C)}, ids {@code (B, L)} int64 and the loss terms
     */
    public Result forward(ParameterStore parameterStore, NDArray h, boolean training) {
        long batch = h.getShape().get(0);
        long tokens = h.getShape().get(1);

        NDArray e = project(parameterStore, h, training); // (B, L, C)
        NDArray entries = normalizedCodebook(parameterStore, e, training); // (K, C)

        NDArray ids = nearest(e, entries); // (B*L)
        NDArray q = lookup(entries, ids).reshape(batch, tokens, codeDim);

        NDArray codebookLoss = q.sub(e.stopGradient()).square().mean();
        NDArray commitmentLoss = q.stopGradient().sub(e).square().mean();
        NDArray loss = codebookLoss.add(commitmentLoss.mul(Layers.scalar(commitmentLoss, commitmentWeight)));

        NDArray straightThrough = e.add(q.sub(e).stopGradient());
        return new Result(
                straightThrough, ids.reshape(batch, tokens), e, codebookLoss, commitmentLoss, loss);
    }

    /**
     * Returns only the ids of the nearest codes, without the straight-through codes and loss terms
     * that training needs. Encoding uses this.
     *
     * @param h {@code (B, L, De)}
     * @return ids {@code (B, L)} int64
     */
    public NDArray ids(ParameterStore parameterStore, NDArray h) {
        Shape shape = h.getShape();
        NDArray e = project(parameterStore, h, false); // (B, L, C)
        NDArray entries = normalizedCodebook(parameterStore, e, false); // (K, C)
        return nearest(e, entries).reshape(shape.get(0), shape.get(1));
    }

    /**
     * Returns the id of the codebook entry with the largest dot product with each code, which for
     * l2-normalised vectors is the nearest one.
     *
     * @param e {@code (B, L, C)}
     * @param entries {@code (K, C)}
     * @return {@code (B*L)} int64
     */
    private NDArray nearest(NDArray e, NDArray entries) {
        NDArray flat = e.reshape(-1, codeDim);
        return flat.stopGradient().matMul(entries.transpose().stopGradient()).argMax(1);
    }

    /**
     * Returns the normalised codebook entries for token ids.
     *
     * @param ids {@code (B, L)} int64 ids in {@code [0, K)}
     * @return {@code (B, L, C)}
     */
    public NDArray embed(ParameterStore parameterStore, NDArray ids, boolean training) {
        NDArray entries = normalizedCodebook(parameterStore, ids, training);
        Shape shape = ids.getShape();
        return lookup(entries, ids.reshape(-1)).reshape(shape.get(0), shape.get(1), codeDim);
    }

    /** Returns the l2-normalised codebook {@code (K, C)}, bound to {@code like}'s manager. */
    public NDArray normalizedCodebook(ParameterStore parameterStore, NDArray like, boolean training) {
        return Layers.bind(parameterStore, codebook, like, training).normalize(2, 1, 1e-12);
    }

    private NDArray lookup(NDArray entries, NDArray flatIds) {
        return flatIds.oneHot(codebookSize).matMul(entries); // (B*L, C)
    }

    /** Returns K, the codebook size. */
    public int codebookSize() {
        return codebookSize;
    }

    /** Returns C, the code dimension. */
    public int codeDim() {
        return codeDim;
    }

    /** Returns the codebook parameter {@code (K, C)}, before normalisation. */
    public Parameter codebook() {
        return codebook;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        Result result = forward(parameterStore, inputs.singletonOrThrow(), training);
        return new NDList(result.codes(), result.ids(), result.loss());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape h = inputShapes[0];
        return new Shape[] {
            new Shape(h.get(0), h.get(1), codeDim), new Shape(h.get(0), h.get(1)), new Shape()
        };
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes[0]);
        projection.initialize(manager, dataType, inputShapes[0]);
    }
}
