package io.nativetok.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The resolved, validated configuration of a tokenizer: every size of every part.
 *
 * <p>Each knob has a dotted key ({@code mit.width}, {@code quantizer.codebook-size}, ...), listed
 * by {@link #keys()}; {@link #toMap()} and {@link Builder#set(String, String)} convert to and from
 * that flat form, which is what the command line's {@code --set key=value}, the saved {@code
 * config.json} and checkpoint comparisons use.
 *
 * @param preset the preset the values started from
 * @param encoder the encoder kind
 * @param imageSize H = W in pixels
 * @param patchSize p, the patch size of every ViT
 * @param tokens L, the number of latent tokens
 * @param mit the Meta Image Transformer (NativeTok only)
 * @param mocet the causal experts (NativeTok only)
 * @param baseline the single ViT of the TiTok and causal-mask encoders
 * @param quantizer the vector quantizer
 * @param decoder the pixel decoder
 * @param seed the seed of parameter initialisation
 */
public record NativeTokConfig(
        Preset preset,
        EncoderKind encoder,
        int imageSize,
        int patchSize,
        int tokens,
        Transformer mit,
        Experts mocet,
        Transformer baseline,
        Quantizer quantizer,
        Transformer decoder,
        long seed) {

    /** Sizes of a ViT: width D, layers, heads (dividing D), MLP hidden width as a multiple of D. */
    public record Transformer(int width, int depth, int heads, int mlpRatio) {}

    /** Sizes of each causal expert and what it passes to later experts. */
    public record Experts(int width, int depth, int heads, int mlpRatio, Feedback feedback) {}

    /** Codebook size K, code dimension C and the commitment weight beta. */
    public record Quantizer(int codebookSize, int codeDim, float commitmentWeight) {}

    private static final Map<String, Function<NativeTokConfig, Object>> GETTERS = new LinkedHashMap<>();
    private static final Map<String, BiConsumer<Builder, String>> SETTERS = new LinkedHashMap<>();
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        key("encoder", "encoder kind: nativetok, titok or causal-mask",
                c -> c.encoder.id(), (b, v) -> b.encoder = EncoderKind.parse(v));
        key("image-size", "image height and width in pixels",
                c -> c.imageSize, (b, v) -> b.imageSize = parseInt("image-size", v));
        key("patch-size", "patch size in pixels, shared by every ViT",
                c -> c.patchSize, (b, v) -> b.patchSize = parseInt("patch-size", v));
        key("tokens", "number of latent tokens L",
                c -> c.tokens, (b, v) -> b.tokens = parseInt("tokens", v));
        key("seed", "seed of parameter initialisation",
                c -> c.seed, (b, v) -> b.seed = parseLong("seed", v));
        transformerKeys("mit", "Meta Image Transformer", c -> c.mit, b -> b.mit);
        key("mocet.width", "width De of each causal expert",
                c -> c.mocet.width, (b, v) -> b.mocet.width = parseInt("mocet.width", v));
        key("mocet.depth", "transformer layers per causal expert",
                c -> c.mocet.depth, (b, v) -> b.mocet.depth = parseInt("mocet.depth", v));
        key("mocet.heads", "attention heads per causal expert",
                c -> c.mocet.heads, (b, v) -> b.mocet.heads = parseInt("mocet.heads", v));
        key("mocet.mlp-ratio", "expert MLP hidden width as a multiple of De",
                c -> c.mocet.mlpRatio, (b, v) -> b.mocet.mlpRatio = parseInt("mocet.mlp-ratio", v));
        key("mocet.feedback", "what experts pass on: continuous or quantized",
                c -> c.mocet.feedback.id(), (b, v) -> b.mocet.feedback = Feedback.parse(v));
        transformerKeys("baseline", "single ViT of the titok and causal-mask encoders",
                c -> c.baseline, b -> b.baseline);
        key("quantizer.codebook-size", "number of codebook entries K",
                c -> c.quantizer.codebookSize,
                (b, v) -> b.quantizer.codebookSize = parseInt("quantizer.codebook-size", v));
        key("quantizer.code-dim", "code dimension C",
                c -> c.quantizer.codeDim,
                (b, v) -> b.quantizer.codeDim = parseInt("quantizer.code-dim", v));
        key("quantizer.commitment", "weight beta of the commitment loss",
                c -> c.quantizer.commitmentWeight,
                (b, v) -> b.quantizer.commitmentWeight = parseFloat("quantizer.commitment", v));
        transformerKeys("decoder", "pixel decoder", c -> c.decoder, b -> b.decoder);
    }

    private static void key(
            String name,
            String description,
            Function<NativeTokConfig, Object> getter,
            BiConsumer<Builder, String> setter) {
        GETTERS.put(name, getter);
        SETTERS.put(name, setter);
        DESCRIPTIONS.put(name, description);
    }

    private static void transformerKeys(
            String prefix,
            String what,
            Function<NativeTokConfig, Transformer> part,
            Function<Builder, TransformerOptions> options) {
        key(prefix + ".width", "width of the " + what,
                c -> part.apply(c).width, (b, v) -> options.apply(b).width = parseInt(prefix + ".width", v));
        key(prefix + ".depth", "transformer layers of the " + what,
                c -> part.apply(c).depth, (b, v) -> options.apply(b).depth = parseInt(prefix + ".depth", v));
        key(prefix + ".heads", "attention heads of the " + what,
                c -> part.apply(c).heads, (b, v) -> options.apply(b).heads = parseInt(prefix + ".heads", v));
        key(prefix + ".mlp-ratio", "MLP hidden width of the " + what + " as a multiple of its width",
                c -> part.apply(c).mlpRatio,
                (b, v) -> options.apply(b).mlpRatio = parseInt(prefix + ".mlp-ratio", v));
    }

    /** Returns every configuration key with a one-line description, in a stable order. */
    public static Map<String, String> keys() {
        return Collections.unmodifiableMap(DESCRIPTIONS);
    }

    /** Returns the flat form: key to value, in the order of {@link #keys()}, plus the preset. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("preset", preset.id());
        GETTERS.forEach((key, getter) -> map.put(key, String.valueOf(getter.apply(this))));
        return map;
    }

    /**
     * Lists the keys whose values differ from {@code other}'s, as {@code key: this -> other}; the
     * preset name is not compared because only the values define the model.
     */
    public List<String> differences(NativeTokConfig other) {
        Map<String, String> mine = toMap();
        Map<String, String> theirs = other.toMap();
        List<String> differences = new ArrayList<>();
        for (String key : GETTERS.keySet()) {
            if (!Objects.equals(mine.get(key), theirs.get(key))) {
                differences.add(key + ": " + mine.get(key) + " -> " + theirs.get(key));
            }
        }
        return differences;
    }

    /** Returns the same configuration with another token count (used when HNT grows a model). */
    public NativeTokConfig withTokens(int newTokens) {
        return new NativeTokConfig(
                preset, encoder, imageSize, patchSize, newTokens, mit, mocet, baseline, quantizer,
                decoder, seed);
    }

    /** Returns N, the number of patches of an image. */
    public int patchCount() {
        return (imageSize / patchSize) * (imageSize / patchSize);
    }

    /** Rebuilds a configuration from its flat form; unknown keys are rejected. */
    public static NativeTokConfig fromMap(Map<String, String> map) {
        String presetName = map.getOrDefault("preset", Preset.TINY.id());
        Builder builder = Preset.parse(presetName).toBuilder();
        map.forEach(
                (key, value) -> {
                    if (!key.equals("preset")) {
                        builder.set(key, value);
                    }
                });
        return builder.build();
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + key + ": expected a whole number.", e);
        }
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + key + ": expected a whole number.", e);
        }
    }

    private static float parseFloat(String key, String value) {
        try {
            return Float.parseFloat(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + key + ": expected a number.", e);
        }
    }

    /** Mutable sizes of one ViT, edited inside {@link Builder} lambdas. */
    public static final class TransformerOptions {
        int width;
        int depth;
        int heads;
        int mlpRatio;

        TransformerOptions(Transformer values) {
            width = values.width;
            depth = values.depth;
            heads = values.heads;
            mlpRatio = values.mlpRatio;
        }

        /** Sets the width D. */
        public TransformerOptions width(int value) {
            width = value;
            return this;
        }

        /** Sets the number of transformer layers. */
        public TransformerOptions depth(int value) {
            depth = value;
            return this;
        }

        /** Sets the number of attention heads; it must divide the width. */
        public TransformerOptions heads(int value) {
            heads = value;
            return this;
        }

        /** Sets the MLP hidden width as a multiple of the width. */
        public TransformerOptions mlpRatio(int value) {
            mlpRatio = value;
            return this;
        }

        Transformer build() {
            return new Transformer(width, depth, heads, mlpRatio);
        }
    }

    /** Mutable sizes of the causal experts, edited inside {@link Builder#mocet} lambdas. */
    public static final class ExpertOptions {
        private final Builder owner;
        int width;
        int depth;
        int heads;
        int mlpRatio;
        Feedback feedback;

        ExpertOptions(Builder owner, Experts values) {
            this.owner = owner;
            width = values.width;
            depth = values.depth;
            heads = values.heads;
            mlpRatio = values.mlpRatio;
            feedback = values.feedback;
        }

        /** Sets L, the number of experts and tokens (shared by all encoder kinds). */
        public ExpertOptions tokens(int value) {
            owner.tokens = value;
            return this;
        }

        /** Sets the expert width De. */
        public ExpertOptions width(int value) {
            width = value;
            return this;
        }

        /** Sets the number of transformer layers per expert. */
        public ExpertOptions depth(int value) {
            depth = value;
            return this;
        }

        /** Sets the number of attention heads per expert; it must divide De. */
        public ExpertOptions heads(int value) {
            heads = value;
            return this;
        }

        /** Sets the expert MLP hidden width as a multiple of De. */
        public ExpertOptions mlpRatio(int value) {
            mlpRatio = value;
            return this;
        }

        /** Sets what an expert passes on to later experts. */
        public ExpertOptions feedback(Feedback value) {
            feedback = value;
            return this;
        }

        Experts build() {
            return new Experts(width, depth, heads, mlpRatio, feedback);
        }
    }

    /** Mutable quantizer settings, edited inside {@link Builder#quantizer} lambdas. */
    public static final class QuantizerOptions {
        int codebookSize;
        int codeDim;
        float commitmentWeight;

        QuantizerOptions(Quantizer values) {
            codebookSize = values.codebookSize;
            codeDim = values.codeDim;
            commitmentWeight = values.commitmentWeight;
        }

        /** Sets K, the number of codebook entries. */
        public QuantizerOptions codebookSize(int value) {
            codebookSize = value;
            return this;
        }

        /** Sets C, the code dimension. */
        public QuantizerOptions codeDim(int value) {
            codeDim = value;
            return this;
        }

        /** Sets beta, the weight of the commitment loss. */
        public QuantizerOptions commitmentWeight(float value) {
            commitmentWeight = value;
            return this;
        }

        Quantizer build() {
            return new Quantizer(codebookSize, codeDim, commitmentWeight);
        }
    }

    /** Builds a configuration from a preset; every knob can be overridden. */
    public static final class Builder {
        Preset preset;
        EncoderKind encoder;
        int imageSize;
        int patchSize;
        int tokens;
        TransformerOptions mit;
        ExpertOptions mocet;
        TransformerOptions baseline;
        QuantizerOptions quantizer;
        TransformerOptions decoder;
        long seed;

        Builder(NativeTokConfig base) {
            preset = base.preset;
            encoder = base.encoder;
            imageSize = base.imageSize;
            patchSize = base.patchSize;
            tokens = base.tokens;
            mit = new TransformerOptions(base.mit);
            mocet = new ExpertOptions(this, base.mocet);
            baseline = new TransformerOptions(base.baseline);
            quantizer = new QuantizerOptions(base.quantizer);
            decoder = new TransformerOptions(base.decoder);
            seed = base.seed;
        }

        /**
         * Sets one knob by its key, e.g. {@code set("mit.width", "256")}.
         *
         * @throws IllegalArgumentException for an unknown key or a value of the wrong type
         */
        public Builder set(String key, String value) {
            BiConsumer<Builder, String> setter = SETTERS.get(key);
            if (setter == null) {
                throw new IllegalArgumentException(
                        "Unknown configuration key '" + key + "'. Known keys: "
                                + String.join(", ", SETTERS.keySet()) + ".");
            }
            setter.accept(this, value);
            return this;
        }

        /** Edits the Meta Image Transformer sizes. */
        public Builder mit(java.util.function.Consumer<TransformerOptions> edit) {
            edit.accept(mit);
            return this;
        }

        /** Edits the causal expert sizes and the token count. */
        public Builder mocet(java.util.function.Consumer<ExpertOptions> edit) {
            edit.accept(mocet);
            return this;
        }

        /** Edits the single ViT of the TiTok and causal-mask encoders. */
        public Builder baseline(java.util.function.Consumer<TransformerOptions> edit) {
            edit.accept(baseline);
            return this;
        }

        /** Edits the quantizer. */
        public Builder quantizer(java.util.function.Consumer<QuantizerOptions> edit) {
            edit.accept(quantizer);
            return this;
        }

        /** Edits the decoder sizes. */
        public Builder decoder(java.util.function.Consumer<TransformerOptions> edit) {
            edit.accept(decoder);
            return this;
        }

        /** Sets the encoder kind. */
        public Builder encoder(EncoderKind kind) {
            encoder = Objects.requireNonNull(kind, "encoder kind");
            return this;
        }

        /** Sets the image size H = W in pixels. */
        public Builder imageSize(int value) {
            imageSize = value;
            return this;
        }

        /** Sets the patch size p. */
        public Builder patchSize(int value) {
            patchSize = value;
            return this;
        }

        /** Sets L, the number of latent tokens. */
        public Builder tokens(int value) {
            tokens = value;
            return this;
        }

        /** Sets the seed of parameter initialisation. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /**
         * Validates and returns the configuration.
         *
         * @throws IllegalArgumentException naming the first invalid value and how to fix it
         */
        public NativeTokConfig build() {
            NativeTokConfig config =
                    new NativeTokConfig(
                            preset, encoder, imageSize, patchSize, tokens, mit.build(), mocet.build(),
                            baseline.build(), quantizer.build(), decoder.build(), seed);
            ConfigValidator.validate(config);
            return config;
        }
    }
}
