package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The Mixture of Causal Expert Transformer (MoCET) of NativeTok: one expert per token position.
 *
 * <p>There is no gating or routing. Expert i alone produces token i: it reads the sequence {@code
 * [X_latent ; h_0 .. h_{i-1} ; q_i]}, where {@code X_latent (B, N + 1, De)} comes from the {@link
 * MetaImageTransformer}, {@code h_j} are the outputs of the earlier experts and {@code q_i} is the
 * expert's learned query vector; attention is full inside that sequence, and the output at the
 * {@code q_i} slot is {@code h_i}. Token i is therefore a function of the image and tokens 0..i-1
 * only: causality is structural, not by a mask.
 *
 * <p>Each expert is a {@link TransformerStack}; its last layer computes only the query row, which
 * is exact because the other rows of the last layer are discarded.
 *
 * <p>Input {@code X_latent (B, N + 1, De)}; output {@code h (B, L, De)} for L experts.
 */
public final class CausalExperts extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int width;
    private final int depth;
    private final int heads;
    private final int mlpRatio;
    private final List<Expert> experts = new ArrayList<>();

    /**
     * Creates {@code tokens} experts.
     *
     * @param tokens L, the number of experts and tokens
     * @param width De
     * @param depth transformer layers per expert
     * @param heads attention heads per expert, dividing De
     * @param mlpRatio MLP hidden width as a multiple of De
     */
    public CausalExperts(int tokens, int width, int depth, int heads, int mlpRatio) {
        super(VERSION);
        this.width = width;
        this.depth = depth;
        this.heads = heads;
        this.mlpRatio = mlpRatio;
        for (int i = 0; i < tokens; i++) {
            addExpert();
        }
    }

    private Expert addExpert() {
        int index = experts.size();
        Expert expert = addChildBlock("expert" + index, new Expert(width, depth, heads, mlpRatio));
        experts.add(expert);
        return expert;
    }

    /**
     * Appends {@code count} new experts and initialises their weights like the others (truncated
     * normal); the existing experts are unchanged.
     *
     * @return the new experts
     */
    public List<Expert> grow(int count, NDManager manager, long sequenceLength) {
        List<Expert> added = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Expert expert = addExpert();
            expert.setInitializer(
                    new TruncatedNormalInitializer(Layers.INIT_STD), Parameter.Type.WEIGHT);
            expert.initialize(manager, DataType.FLOAT32, new Shape(1, sequenceLength, width));
            added.add(expert);
        }
        return added;
    }

    /**
     * Runs the experts one after another.
     *
     * @param latent {@code X_latent (B, N + 1, De)}
     * @param feedback maps an expert output {@code h_i (B, 1, De)} to what later experts read in its
     *     slot; the identity feeds the continuous output
     * @return {@code h (B, L, De)}
     */
    public NDArray forward(
            ParameterStore parameterStore,
            NDArray latent,
            UnaryOperator<NDArray> feedback,
            boolean training) {
        NDList outputs = new NDList(experts.size());
        NDList sequence = new NDList(experts.size() + 2);
        sequence.add(latent);
        for (Expert expert : experts) {
            NDArray h = expert.compute(parameterStore, sequence, training); // (B, 1, De)
            outputs.add(h);
            sequence.add(feedback.apply(h));
        }
        return NDArrays.concat(outputs, 1); // (B, L, De)
    }

    /** Returns the experts in token order. */
    public List<Expert> experts() {
        return Collections.unmodifiableList(experts);
    }

    /** Returns L, the number of experts. */
    public int tokens() {
        return experts.size();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(
                forward(parameterStore, inputs.singletonOrThrow(), UnaryOperator.identity(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), experts.size(), width)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Expert expert : experts) {
            expert.initialize(manager, dataType, inputShapes[0]);
        }
    }

    /**
     * One causal expert: a learned query vector {@code q_i (1, 1, De)} and a transformer stack.
     *
     * <p>Input: the list {@code [X_latent, h_0, .., h_{i-1}]}; output {@code h_i (B, 1, De)}.
     */
    public static final class Expert extends AbstractBlock {

        private final int width;
        private final Parameter query;
        private final TransformerStack transformer;

        Expert(int width, int depth, int heads, int mlpRatio) {
            super(VERSION);
            this.width = width;
            query = addParameter(Layers.embedding("query", new Shape(1, 1, width)));
            transformer =
                    addChildBlock("transformer", new TransformerStack(width, depth, heads, mlpRatio));
        }

        /**
         * Computes {@code h_i} from the latent and the earlier outputs.
         *
         * @param sequence {@code [X_latent (B, N + 1, De), h_0 (B, 1, De), ..]}
         * @return {@code (B, 1, De)}
         */
        public NDArray compute(ParameterStore parameterStore, NDList sequence, boolean training) {
            NDArray latent = sequence.get(0);
            long batch = latent.getShape().get(0);

            NDArray q = Layers.bind(parameterStore, query, latent, training).broadcast(batch, 1, width);
            NDList parts = new NDList(sequence.size() + 1);
            parts.addAll(sequence);
            parts.add(q);
            NDArray x = NDArrays.concat(parts, 1); // (B, N + 1 + i + 1, De)

            return transformer.forward(parameterStore, x, null, 1, training); // (B, 1, De)
        }

        /** Returns the learned query vector parameter {@code q_i}. */
        public Parameter query() {
            return query;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore parameterStore,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return new NDList(compute(parameterStore, inputs, training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0), 1, width)};
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            transformer.initialize(manager, dataType, inputShapes[0]);
        }
    }
}
