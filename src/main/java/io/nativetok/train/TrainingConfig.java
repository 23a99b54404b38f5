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
 * @param restartUnusedCodes steps after which a codebook entry that no batch used is moved onto a
 *     random encoder output of the current batch; 0 disables restarts
 * @param tailDropout probability that a step decodes only a random prefix of the tokens (nested
 *     dropout); 0 disables it
 * @param seed seed of the data order, of code restarts and of tail dropout
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
        int restartUnusedCodes,
        float tailDropout,
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
        notNegative("restart-unused-codes", restartUnusedCodes);
        if (!(tailDropout >= 0 && tailDropout <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid tail dropout " + tailDropout + ": expected a probability from 0 to 1.");
        }
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
            case TINY -> new TrainingConfig(16, 200, 1e-3f, 1e-4f, 20, 1e-4f, 0.9f, 0.99f, 1f, 100, 100, 2, 20, 0f, 0);
            case CIFAR10 -> new TrainingConfig(64, 5000, 1e-3f, 1e-4f, 200, 1e-4f, 0.9f, 0.99f, 1f, 500, 250, 3, 100, 0f, 0);
            case IMAGENET256 -> new TrainingConfig(32, 100_000, 1e-4f, 1e-5f, 5000, 1e-4f, 0.9f, 0.99f, 1f, 5000, 2500, 3, 500, 0f, 0);
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

    /** Returns a builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
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
        map.put("train.restart-unused-codes", String.valueOf(restartUnusedCodes));
        map.put("train.tail-dropout", String.valueOf(tailDropout));
        map.put("train.seed", String.valueOf(seed));
        return map;
    }

    /** Changes some settings of a {@link TrainingConfig}; {@link #build()} validates them. */
    public static final class Builder {
        private final Map<String, String> values;

        Builder(TrainingConfig base) {
            values = base.toMap();
        }

        /** Sets the images per step. */
        public Builder batchSize(int value) {
            return set("train.batch-size", String.valueOf(value));
        }

        /** Sets the total number of steps. */
        public Builder steps(int value) {
            return set("train.steps", String.valueOf(value));
        }

        /** Sets the peak learning rate and scales the minimum learning rate along. */
        public Builder learningRate(float value) {
            float ratio =
                    Float.parseFloat(values.get("train.min-learning-rate"))
                            / Float.parseFloat(values.get("train.learning-rate"));
            set("train.min-learning-rate", String.valueOf(value * ratio));
            return set("train.learning-rate", String.valueOf(value));
        }

        /** Sets the warm-up length in steps. */
        public Builder warmupSteps(int value) {
            return set("train.warmup-steps", String.valueOf(value));
        }

        /** Sets the evaluation and checkpoint intervals of {@code fit} (0: only at the end). */
        public Builder intervals(int evaluateEvery, int checkpointEvery) {
            set("train.evaluate-every", String.valueOf(evaluateEvery));
            return set("train.checkpoint-every", String.valueOf(checkpointEvery));
        }

        /** Sets the number of step checkpoints kept. */
        public Builder keepCheckpoints(int value) {
            return set("train.keep-checkpoints", String.valueOf(value));
        }

        /** Sets the unused-steps limit after which codebook entries restart (0 disables). */
        public Builder restartUnusedCodes(int value) {
            return set("train.restart-unused-codes", String.valueOf(value));
        }

        /** Sets the probability of decoding only a random prefix in a step (0 disables it). */
        public Builder tailDropout(float value) {
            return set("train.tail-dropout", String.valueOf(value));
        }

        /** Sets the seed of the data order. */
        public Builder seed(long value) {
            return set("train.seed", String.valueOf(value));
        }

        /**
         * Sets one setting by key, e.g. {@code set("train.learning-rate", "3e-4")}.
         *
         * @throws IllegalArgumentException for an unknown key
         */
        public Builder set(String key, String value) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(
                        "Unknown training key '" + key + "'. Known keys: "
                                + String.join(", ", values.keySet()) + ".");
            }
            values.put(key, value.trim());
            return this;
        }

        /** Validates and returns the settings. */
        public TrainingConfig build() {
            return fromMap(values);
        }
    }

    /** Returns the keys of {@link #toMap()}, for help texts. */
    public static java.util.Set<String> keys() {
        return forPreset(Preset.TINY).toMap().keySet();
    }

    /** Rebuilds settings from {@link #toMap()}'s form. */
    public static TrainingConfig fromMap(Map<String, String> map) {
        return new TrainingConfig(
                intValue(map, "train.batch-size"),
                intValue(map, "train.steps"),
                floatValue(map, "train.learning-rate"),
                floatValue(map, "train.min-learning-rate"),
                intValue(map, "train.warmup-steps"),
                floatValue(map, "train.weight-decay"),
                floatValue(map, "train.beta1"),
                floatValue(map, "train.beta2"),
                floatValue(map, "train.clip-norm"),
                intValue(map, "train.evaluate-every"),
                intValue(map, "train.checkpoint-every"),
                intValue(map, "train.keep-checkpoints"),
                intValue(map, "train.restart-unused-codes"),
                floatValue(map, "train.tail-dropout"),
                longValue(map, "train.seed"));
    }

    private static String required(Map<String, String> map, String key) {
        String value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException("Missing training setting " + key + ".");
        }
        return value;
    }

    private static int intValue(Map<String, String> map, String key) {
        String value = required(map, key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + key + ": expected a whole number.", e);
        }
    }

    private static long longValue(Map<String, String> map, String key) {
        String value = required(map, key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + key + ": expected a whole number.", e);
        }
    }

    private static float floatValue(Map<String, String> map, String key) {
        String value = required(map, key);
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + key + ": expected a number.", e);
        }
    }
}
