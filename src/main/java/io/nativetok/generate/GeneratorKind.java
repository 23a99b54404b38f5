package io.nativetok.generate;

import java.util.Locale;

/** The two second-stage generators. */
public enum GeneratorKind {
    /** LlamaGen-style class-conditional GPT that predicts token i from tokens 0..i-1. */
    AR,
    /** MaskGIT-style bidirectional transformer that predicts masked tokens from the others. */
    MASKGIT;

    /** Returns the name used on the command line and in checkpoints: {@code ar} or {@code maskgit}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code ar} or {@code maskgit}, ignoring case.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static GeneratorKind parse(String name) {
        for (GeneratorKind kind : values()) {
            if (kind.id().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "Unknown generator kind '" + name + "': expected ar or maskgit.");
    }
}
