package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.UnaryOperator;

/**
 * The NativeTok encoder: the {@link MetaImageTransformer} with its dimension switcher, followed by
 * the {@link CausalExperts}. Token i is computed from the image and tokens 0..i-1 only.
 *
 * <p>Input images {@code (B, 3, H, W)} in [-1, 1]; output {@code (B, L, De)}.
 */
public final class NativeTokEncoder extends AbstractBlock implements LatentEncoder {

    private static final byte VERSION = 1;

    private final MetaImageTransformer mit;
    private final CausalExperts experts;
    private final int expertWidth;
    private UnaryOperator<NDArray> feedback = UnaryOperator.identity();

    /** Creates the encoder from its two parts. */
    public NativeTokEncoder(MetaImageTransformer mit, CausalExperts experts, int expertWidth) {
        super(VERSION);
        this.mit = addChildBlock("mit", mit);
        this.experts = addChildBlock("experts", experts);
        this.expertWidth = expertWidth;
    }

    /**
     * Sets what later experts read in place of an expert's output {@code h_i (B, 1, De)}; the
     * default is the identity (the continuous output).
     */
    public void setFeedback(UnaryOperator<NDArray> feedback) {
        this.feedback = feedback;
    }

    @Override
    public NDArray encode(ParameterStore parameterStore, NDArray images, boolean training) {
        NDArray latent = mit.forward(parameterStore, images, training); // (B, N + 1, De)
        return experts.forward(parameterStore, latent, feedback, training); // (B, L, De)
    }

    /** Returns the Meta Image Transformer (with the dimension switcher). */
    public MetaImageTransformer mit() {
        return mit;
    }

    /** Returns the causal experts. */
    public CausalExperts experts() {
        return experts;
    }

    @Override
    public int tokens() {
        return experts.tokens();
    }

    @Override
    public int outputWidth() {
        return expertWidth;
    }

    @Override
    public Parameter latentInput(int position) {
        return experts.experts().get(position).query();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(encode(parameterStore, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), experts.tokens(), expertWidth)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        mit.initialize(manager, dataType, inputShapes[0]);
        Shape latent = mit.getOutputShapes(inputShapes)[0];
        experts.initialize(manager, dataType, latent);
    }
}
