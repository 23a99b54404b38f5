package io.nativetok.tokenizer;

import io.nativetok.tokenizer.NativeTokConfig.Transformer;

/**
 * Counts the floating-point operations of one forward pass per image, analytically from a
 * configuration: 2 FLOPs per multiply-add of every matrix product (linear layers, attention logits
 * and mixing, codebook search). Element-wise work (LayerNorm, GELU, softmax) is left out, as is
 * usual for model-FLOP counts. A training step costs about three forward passes (the backward pass
 * about two).
 *
 * <p>For NativeTok the count follows the implementation: every expert layer runs over its whole
 * sequence {@code [X_latent ; h_0..h_{i-1} ; q_i]} except the last, which computes the query row
 * only.
 */
public final class ModelFlops {

    private ModelFlops() {}

    /** Returns the forward FLOPs per image of the encoder, quantizer and decoder together. */
    public static double forward(NativeTokConfig config) {
        return encoder(config) + quantizer(config) + decoder(config);
    }

    /** Returns the FLOPs per image of one training step (forward plus backward), about 3x forward. */
    public static double trainingStep(NativeTokConfig config) {
        return 3 * forward(config);
    }

    /** Returns the encoder's forward FLOPs per image. */
    public static double encoder(NativeTokConfig config) {
        int patches = config.patchCount();
        double patchInput = 3.0 * config.patchSize() * config.patchSize();
        if (config.encoder() != EncoderKind.NATIVETOK) {
            Transformer b = config.baseline();
            int length = patches + 1 + config.tokens();
            return 2 * patchInput * b.width() * patches + b.depth() * layer(b.width(), b.mlpRatio(), length, length);
        }
        Transformer m = config.mit();
        NativeTokConfig.Experts e = config.mocet();
        double flops = 2 * patchInput * m.width() * patches;
        flops += m.depth() * layer(m.width(), m.mlpRatio(), patches + 1, patches + 1);
        flops += 2.0 * m.width() * e.width() * (patches + 1);
        for (int i = 0; i < config.tokens(); i++) {
            int length = patches + 1 + i + 1;
            flops += (e.depth() - 1) * layer(e.width(), e.mlpRatio(), length, length);
            flops += layer(e.width(), e.mlpRatio(), length, 1);
        }
        return flops;
    }

    /** Returns the quantizer's forward FLOPs per image. */
    public static double quantizer(NativeTokConfig config) {
        int width = config.encoder() == EncoderKind.NATIVETOK ? config.mocet().width() : config.baseline().width();
        NativeTokConfig.Quantizer q = config.quantizer();
        double tokens = config.tokens();
        return 2 * tokens * width * q.codeDim() + 2 * 2 * tokens * q.codebookSize() * q.codeDim();
    }

    /** Returns the decoder's forward FLOPs per image. */
    public static double decoder(NativeTokConfig config) {
        Transformer d = config.decoder();
        int patches = config.patchCount();
        int length = patches + config.tokens();
        double flops = 2.0 * config.quantizer().codeDim() * d.width() * config.tokens();
        flops += d.depth() * layer(d.width(), d.mlpRatio(), length, length);
        flops += 2.0 * d.width() * 3 * config.patchSize() * config.patchSize() * patches;
        return flops;
    }

    /**
     * Returns the FLOPs of one pre-LN transformer layer of width D whose keys and values cover
     * {@code keys} rows and whose queries, output projection and MLP cover {@code queries} rows.
     */
    static double layer(int width, int mlpRatio, int keys, int queries) {
        double d = width;
        double attentionProjections = 2 * d * d * queries + 2 * 2 * d * d * keys + 2 * d * d * queries;
        double attentionProducts = 2 * 2 * (double) queries * keys * d;
        double mlp = 2 * 2 * d * (mlpRatio * d) * queries;
        return attentionProjections + attentionProducts + mlp;
    }
}
