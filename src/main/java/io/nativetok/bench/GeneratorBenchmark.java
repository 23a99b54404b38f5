package io.nativetok.bench;

import io.nativetok.generate.ArGenerator;
import io.nativetok.generate.GeneratorConfig;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.GeneratorPreset;
import io.nativetok.generate.MaskGitGenerator;
import io.nativetok.generate.SamplingOptions;

/**
 * Measures sampling speed of the generators: autoregressive tokens per second with and without
 * the key-value cache, and MaskGIT images per second.
 *
 * <p>Parameters are freshly initialised; sampling cost does not depend on their values. Every
 * figure is the median of repeated timings after two warm-up runs.
 */
public final class GeneratorBenchmark {

    private GeneratorBenchmark() {}

    /**
     * The measured figures.
     *
     * @param batchSize images sampled per call
     * @param tokens L
     * @param cachedTokensPerSecond AR tokens per second with the key-value cache
     * @param recomputedTokensPerSecond AR tokens per second when every step reruns the prefix
     * @param maskGitImagesPerSecond MaskGIT images per second
     * @param maskGitSteps MaskGIT decoding steps
     */
    public record Result(
            int batchSize,
            int tokens,
            double cachedTokensPerSecond,
            double recomputedTokensPerSecond,
            double maskGitImagesPerSecond,
            int maskGitSteps) {

        /** Returns how many times faster cached AR sampling is than recomputing. */
        public double cacheSpeedup() {
            return cachedTokensPerSecond / recomputedTokensPerSecond;
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param preset model size
     * @param tokens L
     * @param codebookSize K
     * @param batchSize images per sampling call
     * @param options sampling options; {@code steps} sets MaskGIT's decoding steps
     * @param repetitions timed repetitions of each measurement
     */
    public static Result run(
            GeneratorPreset preset, int tokens, int codebookSize, int batchSize, SamplingOptions options,
            int repetitions) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("Invalid batch size " + batchSize + ": expected at least 1.");
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException("Invalid repetitions " + repetitions + ": expected at least 1.");
        }
        int[] classes = new int[batchSize];
        for (int b = 0; b < batchSize; b++) {
            classes[b] = b % 10;
        }
        double cached;
        double recomputed;
        try (ArGenerator ar = new ArGenerator(
                GeneratorConfig.builder(GeneratorKind.AR, preset).data(tokens, codebookSize, 10).build())) {
            cached = TokenizerBenchmark.medianMillis(repetitions, i -> ar.sample(classes, options, true));
            recomputed = TokenizerBenchmark.medianMillis(repetitions, i -> ar.sample(classes, options, false));
        }
        double maskGit;
        try (MaskGitGenerator generator = new MaskGitGenerator(
                GeneratorConfig.builder(GeneratorKind.MASKGIT, preset).data(tokens, codebookSize, 10).build())) {
            maskGit = TokenizerBenchmark.medianMillis(repetitions, i -> generator.sample(classes, options));
        }
        double tokensPerCall = (double) batchSize * tokens;
        return new Result(
                batchSize, tokens, tokensPerCall * 1000 / cached, tokensPerCall * 1000 / recomputed,
                batchSize * 1000.0 / maskGit, options.steps());
    }
}
