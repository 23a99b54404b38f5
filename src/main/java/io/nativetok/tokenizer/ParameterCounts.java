package io.nativetok.tokenizer;

import io.nativetok.tokenizer.NativeTokConfig.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameter counts computed from a configuration without building the model, so that encoder
 * kinds can be compared (and presets sized) cheaply, even at the IMAGENET256 size. A test checks
 * these counts against built models.
 */
public final class ParameterCounts {

    private ParameterCounts() {}

    /** Returns the counts of encoder, quantizer and decoder, and their total. */
    public static Map<String, Long> of(NativeTokConfig config) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("encoder", encoder(config));
        counts.put("quantizer", quantizer(config));
        counts.put("decoder", decoder(config));
        counts.put("total", encoder(config) + quantizer(config) + decoder(config));
        return counts;
    }

    /** Returns the encoder's parameter count (including the quantized-feedback projection). */
    public static long encoder(NativeTokConfig config) {
        long patches = config.patchCount();
        long patchInput = 3L * config.patchSize() * config.patchSize();
        long tokens = config.tokens();
        if (config.encoder() != EncoderKind.NATIVETOK) {
            Transformer b = config.baseline();
            long d = b.width();
            return linear(patchInput, d) + d + (patches + 1 + tokens) * d + tokens * d
                    + b.depth() * layer(b) + 2 * d;
        }
        Transformer m = config.mit();
        NativeTokConfig.Experts e = config.mocet();
        long d = m.width();
        long mit = linear(patchInput, d) + d + (patches + 1) * d + m.depth() * layer(m) + 2 * d
                + linear(d, e.width());
        Transformer expert = new Transformer(e.width(), e.depth(), e.heads(), e.mlpRatio());
        long experts = tokens * (e.width() + e.depth() * layer(expert));
        long feedback = e.feedback() == Feedback.QUANTIZED ? linear(config.quantizer().codeDim(), e.width()) : 0;
        return mit + experts + feedback;
    }

    /** Returns the quantizer's parameter count: LayerNorm, projection and codebook. */
    public static long quantizer(NativeTokConfig config) {
        long width = config.encoder() == EncoderKind.NATIVETOK ? config.mocet().width() : config.baseline().width();
        NativeTokConfig.Quantizer q = config.quantizer();
        return 2 * width + linear(width, q.codeDim()) + (long) q.codebookSize() * q.codeDim();
    }

    /** Returns the decoder's parameter count. */
    public static long decoder(NativeTokConfig config) {
        Transformer dec = config.decoder();
        long d = dec.width();
        long patches = config.patchCount();
        long pixels = 3L * config.patchSize() * config.patchSize();
        return linear(config.quantizer().codeDim(), d) + d + patches * d + config.tokens() * d + d
                + dec.depth() * layer(dec) + 2 * d + linear(d, pixels);
    }

    private static long linear(long in, long out) {
        return in * out + out;
    }

    private static long layer(Transformer t) {
        long d = t.width();
        long hidden = (long) t.mlpRatio() * d;
        long attention = linear(d, d) + linear(d, 2 * d) + linear(d, d);
        long mlp = linear(d, hidden) + linear(hidden, d);
        return attention + mlp + 4 * d;
    }
}
