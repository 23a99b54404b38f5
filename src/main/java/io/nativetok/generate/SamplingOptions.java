package io.nativetok.generate;

import java.util.Locale;

/**
 * Options for drawing tokens from a generator.
 *
 * @param temperature divides the logits before the softmax; in (0, 10]. 1 samples the model's
 *     distribution, lower values make samples more likely but less varied
 * @param topK keeps only the K most likely ids before sampling; 0 keeps all, otherwise 1 to the
 *     codebook size
 * @param cfgScale classifier-free guidance: logits are {@code u + s (c - u)} for conditional
 *     logits c and null-class logits u; in [0, 20]. 1 is plain conditional sampling (and skips the
 *     null-class pass), 0 is unconditional
 * @param steps MaskGIT decoding steps, 1 to L; the autoregressive generator always takes L steps
 *     and ignores it
 * @param gumbelTemperature MaskGIT only: scale of the Gumbel noise added to the log-confidences
 *     that choose which tokens stay, annealed to 0 over the steps as in MaskGIT (4.5 there); 0
 *     ranks by confidence alone
 * @param seed seed of the random draws; the same seed and inputs give the same tokens
 */
public record SamplingOptions(
        float temperature, int topK, float cfgScale, int steps, float gumbelTemperature, long seed) {

    /** Largest accepted temperature. */
    public static final float MAX_TEMPERATURE = 10f;

    /** Largest accepted guidance scale. */
    public static final float MAX_CFG_SCALE = 20f;

    /** Validates the values that do not depend on a model. */
    public SamplingOptions {
        if (!(temperature > 0 && temperature <= MAX_TEMPERATURE)) {
            throw new IllegalArgumentException(
                    "Invalid temperature " + temperature + ": expected a value in (0, " + MAX_TEMPERATURE
                            + "]; 1 samples the model's distribution.");
        }
        if (topK < 0) {
            throw new IllegalArgumentException(
                    "Invalid top-k " + topK + ": expected 0 (keep all ids) or 1 to the codebook size.");
        }
        if (!(cfgScale >= 0 && cfgScale <= MAX_CFG_SCALE)) {
            throw new IllegalArgumentException(
                    "Invalid CFG scale " + cfgScale + ": expected a value in [0, " + MAX_CFG_SCALE
                            + "]; 1 disables guidance.");
        }
        if (steps < 1) {
            throw new IllegalArgumentException(
                    "Invalid steps " + steps + ": expected 1 to the number of tokens per image.");
        }
        if (!(gumbelTemperature >= 0 && Float.isFinite(gumbelTemperature))) {
            throw new IllegalArgumentException(
                    "Invalid Gumbel temperature " + gumbelTemperature + ": expected a finite value >= 0.");
        }
    }

    /** Returns temperature 1, all ids, no guidance, 8 steps, Gumbel temperature 4.5, seed 0. */
    public static SamplingOptions defaults() {
        return new SamplingOptions(1f, 0, 1f, 8, 4.5f, 0);
    }

    /** Returns a copy with another temperature. */
    public SamplingOptions withTemperature(float value) {
        return new SamplingOptions(value, topK, cfgScale, steps, gumbelTemperature, seed);
    }

    /** Returns a copy with another top-k (0 keeps all ids). */
    public SamplingOptions withTopK(int value) {
        return new SamplingOptions(temperature, value, cfgScale, steps, gumbelTemperature, seed);
    }

    /** Returns a copy with another guidance scale. */
    public SamplingOptions withCfgScale(float value) {
        return new SamplingOptions(temperature, topK, value, steps, gumbelTemperature, seed);
    }

    /** Returns a copy with another number of MaskGIT steps. */
    public SamplingOptions withSteps(int value) {
        return new SamplingOptions(temperature, topK, cfgScale, value, gumbelTemperature, seed);
    }

    /** Returns a copy with another Gumbel temperature (0 disables the noise). */
    public SamplingOptions withGumbelTemperature(float value) {
        return new SamplingOptions(temperature, topK, cfgScale, steps, value, seed);
    }

    /** Returns a copy with another seed. */
    public SamplingOptions withSeed(long value) {
        return new SamplingOptions(temperature, topK, cfgScale, steps, gumbelTemperature, value);
    }

    /**
     * Checks the values that depend on the generator: top-k against K and steps against L.
     *
     * @throws IllegalArgumentException naming the value and the allowed range
     */
    public void check(GeneratorConfig config) {
        if (topK > config.codebookSize()) {
            throw new IllegalArgumentException(
                    "Invalid top-k " + topK + ": expected 0 (keep all ids) or 1 to " + config.codebookSize()
                            + " (the codebook size).");
        }
        if (config.kind() == GeneratorKind.MASKGIT && steps > config.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid steps " + steps + ": expected 1 to " + config.tokens()
                            + " (the number of tokens per image).");
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "temperature %.2f, top-k %d, CFG %.2f, steps %d, Gumbel %.2f, seed %d",
                temperature, topK, cfgScale, steps, gumbelTemperature, seed);
    }
}
