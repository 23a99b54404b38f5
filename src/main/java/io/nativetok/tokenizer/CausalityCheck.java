package io.nativetok.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.nativetok.nn.CausalExperts;
import io.nativetok.nn.GradMode;
import io.nativetok.nn.Layers;
import io.nativetok.nn.NativeTokEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Tests empirically whether token i of a tokenizer depends on what position j > i receives.
 *
 * <p>For a position j the check perturbs what the encoder receives there (the learned latent input
 * of position j and, for NativeTok, every parameter of expert j, which also changes what it
 * produces), re-encodes the same images and compares the pre-quantization latents of every position
 * with the unperturbed ones. A causal encoder leaves positions 0..j-1 bit-identical. The parameters
 * are restored exactly afterwards.
 */
public final class CausalityCheck {

    private static final float NOISE = 0.5f;

    private CausalityCheck() {}

    /**
     * The outcome for one perturbed position.
     *
     * @param position j, the perturbed position
     * @param maxChangeBefore largest absolute change of any latent at positions 0..j-1 (0 when
     *     causal)
     * @param changeAt largest absolute change at position j itself (positive when the perturbation
     *     had an effect, which shows the check is live)
     */
    public record Result(int position, double maxChangeBefore, double changeAt) {

        /** Returns true when no earlier position changed and position j did. */
        public boolean isCausal() {
            return maxChangeBefore == 0 && changeAt > 0;
        }
    }

    /**
     * Runs the check for one position.
     *
     * @param images {@code (B, 3, H, W)} in [0, 1], real images preferably
     * @param position j, between 0 and L - 1
     */
    public static Result run(NativeTok tokenizer, NDArray images, int position) {
        int tokens = tokenizer.tokens();
        if (position < 0 || position >= tokens) {
            throw new IllegalArgumentException(
                    "Invalid position " + position + ": expected 0 to " + (tokens - 1) + ".");
        }
        try (GradMode off = GradMode.off();
                NDManager scope = images.getManager().newSubManager()) {
            NDArray reference = tokenizer.latents(images);
            reference.attach(scope);
            List<Parameter> perturbed = perturbedParameters(tokenizer, position);
            List<NDArray> originals = new ArrayList<>();
            try {
                for (Parameter parameter : perturbed) {
                    NDArray array = parameter.getArray();
                    originals.add(array.duplicate());
                    try (NDArray noise = scope.randomNormal(0, NOISE, array.getShape(), array.getDataType())) {
                        array.addi(noise);
                    }
                }
                NDArray changed = tokenizer.latents(images);
                changed.attach(scope);
                NDArray difference = changed.sub(reference).abs(); // (B, L, De)
                double before =
                        position == 0 ? 0 : difference.get(":, :{}, :", position).max().getFloat();
                double at = difference.get(":, {}, :", position).max().getFloat();
                return new Result(position, before, at);
            } finally {
                for (int i = 0; i < originals.size(); i++) {
                    Layers.assign(perturbed.get(i).getArray(), originals.get(i));
                    originals.get(i).close();
                }
            }
        }
    }

    /** Runs the check for every position and returns the results in order. */
    public static List<Result> runAll(NativeTok tokenizer, NDArray images) {
        List<Result> results = new ArrayList<>();
        for (int position = 0; position < tokenizer.tokens(); position++) {
            results.add(run(tokenizer, images, position));
        }
        return results;
    }

    private static List<Parameter> perturbedParameters(NativeTok tokenizer, int position) {
        List<Parameter> parameters = new ArrayList<>();
        if (tokenizer.encoder() instanceof NativeTokEncoder nativeTok) {
            CausalExperts.Expert expert = nativeTok.experts().experts().get(position);
            for (Pair<String, Parameter> entry : expert.getParameters()) {
                parameters.add(entry.getValue());
            }
        } else {
            parameters.add(tokenizer.encoder().latentInput(position));
        }
        return parameters;
    }
}
