package io.nativetok.tokenizer;

import io.nativetok.tokenizer.NativeTokConfig.Transformer;

/** Checks that a configuration can be built, with a message that names the value and the fix. */
final class ConfigValidator {

    private ConfigValidator() {}

    static void validate(NativeTokConfig config) {
        positive("image-size", config.imageSize());
        positive("patch-size", config.patchSize());
        if (config.imageSize() % config.patchSize() != 0) {
            throw new IllegalArgumentException(
                    "Invalid patch-size " + config.patchSize() + ": image-size "
                            + config.imageSize() + " is not divisible by it. Choose a patch size"
                            + " that divides the image size, e.g. "
                            + divisorNear(config.imageSize(), config.patchSize()) + ".");
        }
        if (config.tokens() < 1) {
            throw new IllegalArgumentException(
                    "Invalid tokens " + config.tokens() + ": a tokenizer needs at least 1 token.");
        }
        transformer("mit", config.mit());
        transformer("baseline", config.baseline());
        transformer("decoder", config.decoder());
        NativeTokConfig.Experts experts = config.mocet();
        transformer(
                "mocet",
                new Transformer(experts.width(), experts.depth(), experts.heads(), experts.mlpRatio()));
        if (config.quantizer().codebookSize() < 2) {
            throw new IllegalArgumentException(
                    "Invalid quantizer.codebook-size " + config.quantizer().codebookSize()
                            + ": expected at least 2 entries.");
        }
        positive("quantizer.code-dim", config.quantizer().codeDim());
        float beta = config.quantizer().commitmentWeight();
        if (!(beta >= 0) || Float.isInfinite(beta)) {
            throw new IllegalArgumentException(
                    "Invalid quantizer.commitment " + beta + ": expected a finite value >= 0"
                            + " (0.25 is the usual choice).");
        }
    }

    private static void transformer(String prefix, Transformer part) {
        positive(prefix + ".width", part.width());
        positive(prefix + ".depth", part.depth());
        positive(prefix + ".heads", part.heads());
        positive(prefix + ".mlp-ratio", part.mlpRatio());
        if (part.width() % part.heads() != 0) {
            throw new IllegalArgumentException(
                    "Invalid " + prefix + ".heads " + part.heads() + ": " + prefix + ".width "
                            + part.width() + " is not divisible by it. Choose a head count that"
                            + " divides the width, e.g. " + divisorNear(part.width(), part.heads())
                            + ".");
        }
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    "Invalid " + key + " " + value + ": expected a positive whole number.");
        }
    }

    /** Returns the divisor of {@code n} closest to {@code wanted}. */
    private static int divisorNear(int n, int wanted) {
        int best = 1;
        for (int d = 1; d <= n; d++) {
            if (n % d == 0 && Math.abs(d - wanted) < Math.abs(best - wanted)) {
                best = d;
            }
        }
        return best;
    }
}
