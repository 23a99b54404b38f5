package io.nativetok.generate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved, validated configuration of a generator.
 *
 * <p>Each field has a key ({@code width}, {@code class-dropout}, ...) used by {@link #toMap()},
 * {@link Builder#set(String, String)}, checkpoints and the command line's {@code --set}.
 *
 * @param kind autoregressive or MaskGIT
 * @param preset the preset the sizes started from
 * @param tokens L, tokens per image
 * @param codebookSize K, the number of token ids; MaskGIT adds one more id, K, for [MASK]
 * @param classes C, the number of classes; class id C is the null class of classifier-free
 *     guidance
 * @param width D
 * @param depth number of transformer layers
 * @param heads H, dividing D
 * @param mlpHidden hidden width of the SwiGLU blocks
 * @param classDropout probability that training replaces a class by the null class
 * @param seed seed of parameter initialisation
 */
public record GeneratorConfig(
        GeneratorKind kind,
        GeneratorPreset preset,
        int tokens,
        int codebookSize,
        int classes,
        int width,
        int depth,
        int heads,
        int mlpHidden,
        float classDropout,
        long seed) {

    /** Validates the configuration. */
    public GeneratorConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(preset, "preset");
        atLeast("tokens", tokens, 2);
        atLeast("codebook-size", codebookSize, 2);
        atLeast("classes", classes, 1);
        atLeast("width", width, 1);
        atLeast("depth", depth, 1);
        atLeast("heads", heads, 1);
        atLeast("mlp-hidden", mlpHidden, 1);
        if (width % heads != 0) {
            throw new IllegalArgumentException(
                    "Invalid heads " + heads + ": width " + width + " is not divisible by it."
                            + " Choose a head count that divides the width.");
        }
        if (!(classDropout >= 0 && classDropout < 1)) {
            throw new IllegalArgumentException(
                    "Invalid class-dropout " + classDropout + ": expected a probability in [0, 1).");
        }
    }

    private static void atLeast(String key, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(
                    "Invalid " + key + " " + value + ": expected at least " + minimum + ".");
        }
    }

    /** Returns LlamaGen's SwiGLU hidden width for width D: 8D/3 rounded up to a multiple of 64. */
    public static int defaultMlpHidden(int width) {
        int raw = (int) Math.ceil(8.0 * width / 3);
        return (raw + 63) / 64 * 64;
    }

    /** Returns a builder holding a preset's sizes for 32 tokens, 1,024 codes and 10 classes. */
    public static Builder builder(GeneratorKind kind, GeneratorPreset preset) {
        return new Builder(
                new GeneratorConfig(
                        kind, preset, 32, 1024, 10, preset.width(), preset.depth(), preset.heads(),
                        defaultMlpHidden(preset.width()), 0.1f, 0));
    }

    /** Returns a builder holding this configuration, to change some of it. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Returns the configuration as a flat map of keys to values. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("kind", kind.id());
        map.put("preset", preset.id());
        map.put("tokens", String.valueOf(tokens));
        map.put("codebook-size", String.valueOf(codebookSize));
        map.put("classes", String.valueOf(classes));
        map.put("width", String.valueOf(width));
        map.put("depth", String.valueOf(depth));
        map.put("heads", String.valueOf(heads));
        map.put("mlp-hidden", String.valueOf(mlpHidden));
        map.put("class-dropout", String.valueOf(classDropout));
        map.put("seed", String.valueOf(seed));
        return map;
    }

    /** Rebuilds a configuration from {@link #toMap()}'s form. */
    public static GeneratorConfig fromMap(Map<String, String> map) {
        Builder builder =
                builder(GeneratorKind.parse(required(map, "kind")), GeneratorPreset.parse(required(map, "preset")));
        map.forEach(builder::set);
        return builder.build();
    }

    private static String required(Map<String, String> map, String key) {
        String value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("Missing generator setting '" + key + "'.");
        }
        return value;
    }

    /** Returns {@code key: this -> other} for every key whose value differs. */
    public List<String> differences(GeneratorConfig other) {
        List<String> differences = new ArrayList<>();
        Map<String, String> theirs = other.toMap();
        toMap().forEach((key, value) -> {
            if (!value.equals(theirs.get(key))) {
                differences.add(key + ": " + value + " -> " + theirs.get(key));
            }
        });
        return differences;
    }

    /** Changes settings of a {@link GeneratorConfig}; {@link #build()} validates them. */
    public static final class Builder {
        private final Map<String, String> values;

        Builder(GeneratorConfig base) {
            values = base.toMap();
        }

        /** Sets the sizes that come from a token data set. */
        public Builder data(int tokens, int codebookSize, int classes) {
            set("tokens", String.valueOf(tokens));
            set("codebook-size", String.valueOf(codebookSize));
            return set("classes", String.valueOf(classes));
        }

        /** Sets D, H and the depth, and the SwiGLU hidden width that goes with D. */
        public Builder size(int width, int depth, int heads) {
            set("width", String.valueOf(width));
            set("depth", String.valueOf(depth));
            set("mlp-hidden", String.valueOf(defaultMlpHidden(width)));
            return set("heads", String.valueOf(heads));
        }

        /** Sets the seed of parameter initialisation. */
        public Builder seed(long seed) {
            return set("seed", String.valueOf(seed));
        }

        /**
         * Sets one setting by key.
         *
         * @throws IllegalArgumentException for an unknown key
         */
        public Builder set(String key, String value) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(
                        "Unknown generator key '" + key + "'. Known keys: "
                                + String.join(", ", values.keySet()) + ".");
            }
            values.put(key, value.trim());
            return this;
        }

        /** Validates and returns the configuration. */
        public GeneratorConfig build() {
            return new GeneratorConfig(
                    GeneratorKind.parse(values.get("kind")),
                    GeneratorPreset.parse(values.get("preset")),
                    intValue("tokens"),
                    intValue("codebook-size"),
                    intValue("classes"),
                    intValue("width"),
                    intValue("depth"),
                    intValue("heads"),
                    intValue("mlp-hidden"),
                    floatValue("class-dropout"),
                    longValue("seed"));
        }

        private int intValue(String key) {
            try {
                return Integer.parseInt(values.get(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid value '" + values.get(key) + "' for " + key + ": expected a whole number.", e);
            }
        }

        private long longValue(String key) {
            try {
                return Long.parseLong(values.get(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid value '" + values.get(key) + "' for " + key + ": expected a whole number.", e);
            }
        }

        private float floatValue(String key) {
            try {
                return Float.parseFloat(values.get(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid value '" + values.get(key) + "' for " + key + ": expected a number.", e);
            }
        }
    }
}
