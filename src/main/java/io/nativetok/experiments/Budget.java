package io.nativetok.experiments;

import io.nativetok.tokenizer.Preset;

/**
 * How much work a recipe does at a preset: training steps and numbers of images.
 *
 * @param tokenizerSteps training steps of each tokenizer
 * @param trainImages training images used (0 for all)
 * @param evaluationImages evaluation images used (0 for all)
 * @param influenceImages images for the per-position influence measurement
 * @param influenceReplacements random replacement codes per position and image
 * @param generatorSteps training steps of each generator
 * @param generatedImages images sampled per generator for classifier FD and IS
 * @param classifierEpochs epochs of the feature network behind classifier FD
 */
public record Budget(
        int tokenizerSteps,
        int trainImages,
        int evaluationImages,
        int influenceImages,
        int influenceReplacements,
        int generatorSteps,
        int generatedImages,
        int classifierEpochs) {

    /** Returns the budget of a preset: seconds at TINY, hours at CIFAR10. */
    public static Budget forPreset(Preset preset) {
        return switch (preset) {
            case TINY -> new Budget(30, 512, 64, 16, 1, 30, 32, 1);
            case CIFAR10 -> new Budget(5000, 0, 0, 200, 2, 5000, 10_000, 10);
            case IMAGENET256 -> new Budget(100_000, 0, 0, 100, 2, 300_000, 50_000, 10);
        };
    }
}
