package io.nativetok.tokenizer;

import java.util.Locale;

/** What a NativeTok expert passes on to later experts in its slot. */
public enum Feedback {
    /** The expert's continuous output h_i, before quantization (the default). */
    CONTINUOUS,
    /** The straight-through quantized code of h_i, projected back to the expert width. */
    QUANTIZED;

    /** Returns the lower-case name used in configs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code continuous} or {@code quantized}. */
    public static Feedback parse(String name) {
        for (Feedback value : values()) {
            if (value.id().equalsIgnoreCase(name.trim())) {
                return value;
            }
        }
        throw new IllegalArgumentException(
                "Unknown expert feedback '" + name + "': expected continuous or quantized.");
    }
}
