package io.nativetok.experiments;

import io.nativetok.tokenizer.Preset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How much work a recipe does at a preset: training steps and numbers of images.
 *
 * <p>Each preset has a default budget ({@link #forPreset}); {@link #with} changes single values by
 * their names, e.g. {@code tokenizer-steps}, so that a run can fit the hours a machine has.
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

    /** The names of the values, in the order of the record's components. */
    private static final String[] NAMES = {
        "tokenizer-steps", "train-images", "evaluation-images", "influence-images",
        "influence-replacements", "generator-steps", "generated-images", "classifier-epochs"
    };

    /** Returns the budget of a preset: seconds at TINY, hours at CIFAR10. */
    public static Budget forPreset(Preset preset) {
        return switch (preset) {
            case TINY -> new Budget(30, 512, 64, 16, 1, 30, 32, 1);
            case CIFAR10 -> new Budget(5000, 0, 0, 200, 2, 5000, 10_000, 10);
            case IMAGENET256 -> new Budget(100_000, 0, 0, 100, 2, 300_000, 50_000, 10);
        };
    }

    /** Checks the values: image counts may be 0 (all images), everything else must be positive. */
    public Budget {
        int[] values = {tokenizerSteps, trainImages, evaluationImages, influenceImages, influenceReplacements,
            generatorSteps, generatedImages, classifierEpochs};
        for (int i = 0; i < values.length; i++) {
            int least = allowsZero(NAMES[i]) ? 0 : 1;
            if (values[i] < least) {
                throw new IllegalArgumentException("Invalid budget value " + NAMES[i] + " = " + values[i]
                        + ": expected " + (least == 0 ? "0 (all images) or more." : "at least 1."));
            }
        }
    }

    private static boolean allowsZero(String name) {
        return name.equals("train-images") || name.equals("evaluation-images");
    }

    /** Returns the values by name, e.g. {@code tokenizer-steps} to 5000, in a fixed order. */
    public Map<String, Integer> toMap() {
        int[] values = {tokenizerSteps, trainImages, evaluationImages, influenceImages, influenceReplacements,
            generatorSteps, generatedImages, classifierEpochs};
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            map.put(NAMES[i], values[i]);
        }
        return map;
    }

    /**
     * Returns this budget with the named values replaced, e.g. {@code {"tokenizer-steps": "1000"}}.
     *
     * @throws IllegalArgumentException for an unknown name or a value that is not a valid count
     */
    public Budget with(Map<String, String> changes) {
        Map<String, Integer> values = toMap();
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String name = change.getKey().trim().toLowerCase(Locale.ROOT);
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("Unknown budget value '" + change.getKey() + "': expected one of "
                        + String.join(", ", NAMES) + ".");
            }
            values.put(name, parseCount(name, change.getValue()));
        }
        return fromMap(values);
    }

    private static int parseCount(String name, String text) {
        try {
            return Integer.parseInt(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid budget value " + name + " = '" + text
                    + "': expected a whole number, e.g. " + name + "=1000.", e);
        }
    }

    /** Returns the budget whose {@link #toMap} is {@code values}. */
    static Budget fromMap(Map<String, ? extends Number> values) {
        int[] counts = new int[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) {
            Number value = values.get(NAMES[i]);
            if (value == null) {
                throw new IllegalArgumentException("Missing budget value " + NAMES[i] + ": expected all of "
                        + String.join(", ", NAMES) + ".");
            }
            counts[i] = value.intValue();
        }
        return new Budget(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7]);
    }

    /** Returns the values that differ from {@code base}, as {@code name=value} joined by spaces. */
    String differencesFrom(Budget base) {
        Map<String, Integer> mine = toMap();
        Map<String, Integer> theirs = base.toMap();
        StringBuilder text = new StringBuilder();
        mine.forEach((name, value) -> {
            if (!value.equals(theirs.get(name))) {
                text.append(text.length() == 0 ? "" : " ").append(name).append('=').append(value);
            }
        });
        return text.toString();
    }
}
