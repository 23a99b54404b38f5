package io.nativetok.tokenizer;

import io.nativetok.tokenizer.NativeTokConfig.Experts;
import io.nativetok.tokenizer.NativeTokConfig.Quantizer;
import io.nativetok.tokenizer.NativeTokConfig.Transformer;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Named starting points for a configuration; any knob can be overridden after choosing one.
 *
 * <p>In each preset the baseline ViT (TiTok and causal-mask encoders) is sized so that its
 * parameter count is within 10% of the NativeTok encoder's, which keeps comparisons fair.
 */
public enum Preset {
    /** A few hundred thousand parameters: for tests and CI, trains in seconds on a CPU. */
    TINY(
            new NativeTokConfig(
                    null, EncoderKind.NATIVETOK, 32, 8, 8,
                    new Transformer(64, 2, 2, 4),
                    new Experts(32, 2, 2, 4, Feedback.CONTINUOUS),
                    new Transformer(64, 6, 2, 4),
                    new Quantizer(64, 8, 0.25f),
                    new Transformer(64, 2, 2, 4),
                    0)),
    /** CIFAR-10 at 32 x 32 with 32 tokens: real training on a CPU in hours. */
    CIFAR10(
            new NativeTokConfig(
                    null, EncoderKind.NATIVETOK, 32, 8, 32,
                    new Transformer(256, 4, 4, 4),
                    new Experts(128, 2, 4, 4, Feedback.CONTINUOUS),
                    new Transformer(384, 9, 6, 4),
                    new Quantizer(1024, 12, 0.25f),
                    new Transformer(256, 4, 4, 4),
                    0)),
    /**
     * ImageNet at 256 x 256 with 32 tokens, sized like the paper's prototype (MIT width 1024 with
     * 18 layers, experts of width 256 with 2 layers, a TiTok-L-sized decoder): for a GPU.
     */
    IMAGENET256(
            new NativeTokConfig(
                    null, EncoderKind.NATIVETOK, 256, 16, 32,
                    new Transformer(1024, 18, 16, 4),
                    new Experts(256, 2, 4, 4, Feedback.CONTINUOUS),
                    new Transformer(1024, 22, 16, 4),
                    new Quantizer(4096, 12, 0.25f),
                    new Transformer(1024, 24, 16, 4),
                    0));

    private final NativeTokConfig values;

    Preset(NativeTokConfig values) {
        this.values = values;
    }

    /** Returns the lower-case name used on the command line, e.g. {@code cifar10}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns a builder holding this preset's values. */
    public NativeTokConfig.Builder toBuilder() {
        NativeTokConfig.Builder builder = new NativeTokConfig.Builder(values);
        builder.preset = this;
        return builder;
    }

    /** Returns this preset's configuration. */
    public NativeTokConfig config() {
        return toBuilder().build();
    }

    /**
     * Parses a preset name, ignoring case.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Preset parse(String name) {
        for (Preset preset : values()) {
            if (preset.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return preset;
            }
        }
        throw new IllegalArgumentException(
                "Unknown preset '" + name + "': expected one of "
                        + Arrays.stream(values()).map(Preset::id).collect(Collectors.joining(", "))
                        + ".");
    }
}
