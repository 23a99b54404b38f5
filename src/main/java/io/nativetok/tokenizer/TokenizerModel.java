package io.nativetok.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.nativetok.nn.CausalExperts;
import io.nativetok.nn.GradMode;
import io.nativetok.nn.Layers;
import io.nativetok.nn.LatentEncoder;
import io.nativetok.nn.MetaImageTransformer;
import io.nativetok.nn.NativeTokEncoder;
import io.nativetok.nn.PixelDecoder;
import io.nativetok.nn.RowThreads;
import io.nativetok.nn.SingleStreamEncoder;
import io.nativetok.nn.VectorQuantizer;
import io.nativetok.tokenizer.NativeTokConfig.Transformer;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The whole tokenizer as one DJL block: encoder, quantizer and decoder (and, for quantized expert
 * feedback, the projection of codes back to the expert width).
 *
 * <p>Input images {@code (B, 3, H, W)} in [-1, 1]; output a {@link TokenizerOutput}.
 */
final class TokenizerModel extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Minimum number of images per block when inference runs on several cores. */
    private static final int MIN_BLOCK_ROWS = 8;

    private NativeTokConfig config;
    private final LatentEncoder encoder;
    private final VectorQuantizer quantizer;
    private final PixelDecoder decoder;
    private final Linear feedbackProjection;

    TokenizerModel(NativeTokConfig config) {
        super(VERSION);
        this.config = config;
        encoder = addChildBlock("encoder", createEncoder(config));
        NativeTokConfig.Quantizer q = config.quantizer();
        quantizer =
                addChildBlock(
                        "quantizer",
                        new VectorQuantizer(q.codebookSize(), q.codeDim(), q.commitmentWeight()));
        Transformer d = config.decoder();
        decoder =
                addChildBlock(
                        "decoder",
                        new PixelDecoder(
                                config.imageSize(), config.patchSize(), config.tokens(), d.width(),
                                d.depth(), d.heads(), d.mlpRatio()));
        boolean quantizedFeedback =
                config.encoder() == EncoderKind.NATIVETOK
                        && config.mocet().feedback() == Feedback.QUANTIZED;
        feedbackProjection =
                quantizedFeedback
                        ? addChildBlock("feedbackProjection", Layers.linear(config.mocet().width()))
                        : null;
    }

    private static LatentEncoder createEncoder(NativeTokConfig config) {
        int image = config.imageSize();
        int patch = config.patchSize();
        if (config.encoder() == EncoderKind.NATIVETOK) {
            Transformer m = config.mit();
            NativeTokConfig.Experts e = config.mocet();
            MetaImageTransformer mit =
                    new MetaImageTransformer(
                            image, patch, m.width(), m.depth(), m.heads(), m.mlpRatio(), e.width());
            CausalExperts experts =
                    new CausalExperts(config.tokens(), e.width(), e.depth(), e.heads(), e.mlpRatio());
            return new NativeTokEncoder(mit, experts, e.width());
        }
        Transformer b = config.baseline();
        boolean causal = config.encoder() == EncoderKind.CAUSAL_MASK;
        return new SingleStreamEncoder(
                image, patch, config.tokens(), b.width(), b.depth(), b.heads(), b.mlpRatio(), causal);
    }

    /**
     * Runs encoder, quantizer and decoder.
     *
     * @param images {@code (B, 3, H, W)} in [-1, 1]
     */
    TokenizerOutput forward(ParameterStore parameterStore, NDArray images, boolean training) {
        installFeedback(parameterStore, training);
        NDArray latents = encoder.encode(parameterStore, images, training); // (B, L, De)
        VectorQuantizer.Result quantized = quantizer.forward(parameterStore, latents, training);
        NDArray reconstruction = decoder.forward(parameterStore, quantized.codes(), training);
        return new TokenizerOutput(latents, quantized, reconstruction);
    }

    /**
     * Runs encoder and quantizer, then decodes only the first {@code prefix} tokens (the others
     * replaced by the decoder's absent-token embedding); used by nested tail dropout.
     */
    TokenizerOutput forwardPrefix(
            ParameterStore parameterStore, NDArray images, int prefix, boolean training) {
        installFeedback(parameterStore, training);
        NDArray latents = encoder.encode(parameterStore, images, training);
        VectorQuantizer.Result quantized = quantizer.forward(parameterStore, latents, training);
        NDArray codes = Layers.rows(quantized.codes(), 0, prefix);
        NDArray reconstruction = decoder.forward(parameterStore, codes, training);
        return new TokenizerOutput(latents, quantized, reconstruction);
    }

    /**
     * Adds experts and decoder latent positions so that the model produces {@code newTokens}
     * tokens; the existing parameters are unchanged.
     */
    void growTokens(int newTokens, NDManager manager) {
        NativeTokEncoder nativeTok = (NativeTokEncoder) encoder;
        long latentRows = nativeTok.mit().patchCount() + 1;
        nativeTok.experts().grow(newTokens - config.tokens(), manager, latentRows);
        decoder.growTokens(newTokens, manager);
        config = config.withTokens(newTokens);
    }

    /**
     * Encodes images into token ids {@code (B, L)} int64. On a CPU with several cores, blocks of
     * the batch run on their own threads ({@link RowThreads}).
     */
    NDArray encode(ParameterStore parameterStore, NDArray images) {
        installFeedback(parameterStore, false);
        return inferInBlocks(
                images,
                block -> {
                    NDArray latents = encoder.encode(parameterStore, block, false); // (b, L, De)
                    return quantizer.ids(parameterStore, latents); // (b, L)
                });
    }

    /**
     * Encodes and decodes images {@code (B, 3, H, W)} in [-1, 1] without autograd, in row blocks
     * like {@link #encode}. Returns the reconstructions in [-1, 1], unclipped.
     */
    NDArray reconstruct(ParameterStore parameterStore, NDArray images) {
        return inferInBlocks(images, block -> forward(parameterStore, block, false).reconstruction());
    }

    /** Runs {@code pass} without autograd on row blocks of {@code images} and joins the results. */
    private static NDArray inferInBlocks(NDArray images, UnaryOperator<NDArray> pass) {
        List<NDArray> blocks =
                RowThreads.map(
                        images,
                        MIN_BLOCK_ROWS,
                        block -> {
                            try (GradMode off = GradMode.off()) {
                                return pass.apply(block);
                            }
                        });
        return RowThreads.join(blocks);
    }

    /** Decodes the first L' token ids {@code (B, L')} into images in [-1, 1]. */
    NDArray decode(ParameterStore parameterStore, NDArray ids) {
        NDArray codes = quantizer.embed(parameterStore, ids, false);
        return decoder.forward(parameterStore, codes, false);
    }

    /**
     * Sets the quantized feedback of a NativeTok encoder. The row blocks of one training step call
     * this from several threads with the same arguments, so whichever function is set last is
     * equivalent.
     */
    private void installFeedback(ParameterStore parameterStore, boolean training) {
        if (feedbackProjection != null && encoder instanceof NativeTokEncoder nativeTok) {
            nativeTok.setFeedback(
                    h -> {
                        NDArray codes = quantizer.forward(parameterStore, h, training).codes();
                        return Layers.forward(feedbackProjection, parameterStore, codes, training);
                    });
        }
    }

    Linear feedbackProjection() {
        return feedbackProjection;
    }

    NativeTokConfig config() {
        return config;
    }

    LatentEncoder encoder() {
        return encoder;
    }

    VectorQuantizer quantizer() {
        return quantizer;
    }

    PixelDecoder decoder() {
        return decoder;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        TokenizerOutput output = forward(parameterStore, inputs.singletonOrThrow(), training);
        return new NDList(output.reconstruction(), output.quantized().ids());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape images = inputShapes[0];
        return new Shape[] {images, new Shape(images.get(0), config.tokens())};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape images = inputShapes[0];
        long batch = images.get(0);
        encoder.initialize(manager, dataType, images);
        Shape latents = new Shape(batch, config.tokens(), encoder.outputWidth());
        quantizer.initialize(manager, dataType, latents);
        decoder.initialize(
                manager, dataType, new Shape(batch, config.tokens(), config.quantizer().codeDim()));
        if (feedbackProjection != null) {
            feedbackProjection.initialize(
                    manager, dataType, new Shape(batch, 1, config.quantizer().codeDim()));
        }
    }
}
