package io.nativetok.train;

import io.nativetok.tokenizer.Preset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Optimisation settings of a training run: AdamW with linear warm-up, cosine decay and global
 * gradient-norm clipping.
 *
 * @param batchSize images per step
 * @param steps total steps of the run; the cosine decay reaches {@code minLearningRate} here
 * @param learningRate peak learning rate after warm-up
 * @param minLearningRate learning rate at the end of the cosine decay
 * @param warmupSteps steps of linear warm-up from 0 to the peak
 * @param weightDecay decoupled weight decay, applied to weight matrices only
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param clipNorm global gradient-norm limit; 0 disables clipping
 * @param evaluateEvery steps between evaluations in {@code fit}; 0 evaluates only at the end
 * @param checkpointEvery steps between checkpoints in {@code fit}; 0 saves only at the end
 * @param keepCheckpoints how many step checkpoints {@code fit} keeps, newest first
 * @param seed seed of the data order
 */
public record TrainingConfig(
        int batchSize,
        int steps,
        float learningRate,
        float minLearningRate,
        int warmupSteps,
        float weightDecay,
        float beta1,
        float beta2,
        float clipNorm,
        int evaluateEvery,
        int checkpointEvery,
        int keepCheckpoints,
        long seed) {

    /** Validates the settings. */
    public TrainingConfig {
        positive("batch-size", batchSize);
        positive("steps", steps);
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException(
                    "Invalid learning rate " + learningRate + ": expected a finite value > 0.");
        }
        if (!(minLearningRate >= 0) || minLearningRate > learningRate) {
            throw new IllegalArgumentException(
                    "Invalid minimum learning rate " + minLearningRate + ": expected 0 to the peak"
                            + " learning rate " + learningRate + ".");
        }
        notNegative("warmup-steps", warmupSteps);
        notNegative("evaluate-every", evaluateEvery);
        notNegative("checkpoint-every", checkpointEvery);
        positive("keep-checkpoints", keepCheckpoints);
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException(
                    "Invalid weight decay " + weightDecay + ": expected a value >= 0.");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "Invalid AdamW betas " + beta1 + ", " + beta2 + ": expected values in [0, 1).");
        }
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException(
                    "Invalid gradient clip norm " + clipNorm + ": expected a value >= 0 (0 disables"
                            + " clipping).");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    "Invalid " + name + " " + value + ": expected a positive whole number.");
        }
    }

    private static void notNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    "Invalid " + name + " " + value + ": expected 0 or more.");
        }
    }

    /** Returns the defaults for a preset. */
    public static TrainingConfig forPreset(Preset preset) {
        return switch (preset) {
            case TINY -> new TrainingConfig(16, 200, 2e-3f, 2e-4f, 20, 1e-4f, 0.9f, 0.99f, 1f, 100, 100, 2, 0);
            case CIFAR10 -> new TrainingConfig(64, 5000, 1e-3f, 1e-4f, 200, 1e-4f, 0.9f, 0.99f, 1f, 500, 250, 3, 0);
            case IMAGENET256 -> new TrainingConfig(32, 100_000, 1e-4f, 1e-5f, 5000, 1e-4f, 0.9f, 0.99f, 1f, 5000, 2500, 3, 0);
        };
    }

    /** Returns the learning rate at {@code step} (0-based): linear warm-up, then cosine decay. */
    public float learningRateAt(long step) {
        if (step < warmupSteps) {
            return learningRate * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps));
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return (float) (minLearningRate + (learningRate - minLearningRate) * cosine);
    }

    /** Returns a copy with another step count. */
    public TrainingConfig withSteps(int newSteps) {
        return new TrainingConfig(batchSize, newSteps, learningRate, minLearningRate,
                Math.min(warmupSteps, newSteps), weightDecay, beta1, beta2, clipNorm, evaluateEvery,
                checkpointEvery, keepCheckpoints, seed);
    }

    /** Returns a copy with another batch size. */
    public TrainingConfig withBatchSize(int newBatchSize) {
        return new TrainingConfig(newBatchSize, steps, learningRate, minLearningRate, warmupSteps,
                weightDecay, beta1, beta2, clipNorm, evaluateEvery, checkpointEvery, keepCheckpoints,
                seed);
    }

    /** Returns a copy with another peak learning rate (the minimum is scaled along). */
    public TrainingConfig withLearningRate(float newLearningRate) {
        float ratio = minLearningRate / learningRate;
        return new TrainingConfig(batchSize, steps, newLearningRate, newLearningRate * ratio,
                warmupSteps, weightDecay, beta1, beta2, clipNorm, evaluateEvery, checkpointEvery,
                keepCheckpoints, seed);
    }

    /** Returns a copy with other evaluation and checkpoint intervals. */
    public TrainingConfig withIntervals(int newEvaluateEvery, int newCheckpointEvery) {
        return new TrainingConfig(batchSize, steps, learningRate, minLearningRate, warmupSteps,
                weightDecay, beta1, beta2, clipNorm, newEvaluateEvery, newCheckpointEvery,
                keepCheckpoints, seed);
    }

    /** Returns a copy with another data-order seed. */
    public TrainingConfig withSeed(long newSeed) {
        return new TrainingConfig(batchSize, steps, learningRate, minLearningRate, warmupSteps,
                weightDecay, beta1, beta2, clipNorm, evaluateEvery, checkpointEvery, keepCheckpoints,
                newSeed);
    }

    /** Returns the settings as a flat map, for printing and saving with a run. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("train.batch-size", String.valueOf(batchSize));
        map.put("train.steps", String.valueOf(steps));
        map.put("train.learning-rate", String.valueOf(learningRate));
        map.put("train.min-learning-rate", String.valueOf(minLearningRate));
        map.put("train.warmup-steps", String.valueOf(warmupSteps));
        map.put("train.weight-decay", String.valueOf(weightDecay));
        map.put("train.beta1", String.valueOf(beta1));
        map.put("train.beta2", String.valueOf(beta2));
        map.put("train.clip-norm", String.valueOf(clipNorm));
        map.put("train.evaluate-every", String.valueOf(evaluateEvery));
        map.put("train.checkpoint-every", String.valueOf(checkpointEvery));
        map.put("train.keep-checkpoints", String.valueOf(keepCheckpoints));
        map.put("train.seed", String.valueOf(seed));
        return map;
    }
}
