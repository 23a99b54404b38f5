package io.nativetok.generate;

import java.util.Locale;

/**
 * Named model sizes of the generators; the token count, codebook size and class count come from
 * the token data set and are set separately.
 */
public enum GeneratorPreset {
    /** Width 64, 2 layers, 2 heads: for tests, trains in seconds. */
    TINY(64, 2, 2),
    /** Width 256, 6 layers, 4 heads (about 5 M parameters): CIFAR-10 tokens on a CPU. */
    CIFAR10(256, 6, 4),
    /** Width 768, 12 layers, 12 heads: the size of LlamaGen-B, for a GPU. */
    IMAGENET256(768, 12, 12);

    private final int width;
    private final int depth;
    private final int heads;

    GeneratorPreset(int width, int depth, int heads) {
        this.width = width;
        this.depth = depth;
        this.heads = heads;
    }

    /** Returns D, the width. */
    public int width() {
        return width;
    }

    /** Returns the number of transformer layers. */
    public int depth() {
        return depth;
    }

    /** Returns H, the number of attention heads. */
    public int heads() {
        return heads;
    }

    /** Returns the lower-case name used on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a preset name, ignoring case.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static GeneratorPreset parse(String name) {
        for (GeneratorPreset preset : values()) {
            if (preset.id().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return preset;
            }
        }
        throw new IllegalArgumentException(
                "Unknown generator preset '" + name + "': expected tiny, cifar10 or imagenet256.");
    }
}
