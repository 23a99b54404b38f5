package io.nativetok.tokenizer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The encoder that turns an image into latent vectors; all kinds share quantizer and decoder. */
public enum EncoderKind {
    /** Meta Image Transformer plus one causal expert per token: token i sees only tokens < i. */
    NATIVETOK,
    /** TiTok: one bidirectional ViT over patches and latent tokens; tokens have no order. */
    TITOK,
    /** The same single ViT with a causal mask among latent tokens and no patch-to-latent attention. */
    CAUSAL_MASK;

    /** Returns the name used in configs and on the command line, e.g. {@code causal-mask}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a name such as {@code nativetok}, {@code titok} or {@code causal-mask}. */
    public static EncoderKind parse(String name) {
        for (EncoderKind kind : values()) {
            if (kind.id().equalsIgnoreCase(name.trim()) || kind.name().equalsIgnoreCase(name.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "Unknown encoder kind '" + name + "': expected one of " + ids() + ".");
    }

    static String ids() {
        return Arrays.stream(values()).map(EncoderKind::id).collect(Collectors.joining(", "));
    }
}
