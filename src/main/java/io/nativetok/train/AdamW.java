package io.nativetok.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with state that can be saved and restored, so that a resumed run continues exactly.
 *
 * <p>Each update uses libtorch's fused Adam kernel through DJL: {@code m = b1 m + (1 - b1) g},
 * {@code v = b2 v + (1 - b2) g^2}, {@code w -= lr * wd * w} (decoupled decay), then {@code w -=
 * lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)}, with t counted per parameter. The
 * kernel also multiplies the gradient by a scale factor, which is how global-norm clipping is
 * applied without another pass over the gradients.
 *
 * <p>Weight decay applies to 2-D weight matrices only, not to biases, LayerNorm parameters,
 * embeddings or the codebook.
 */
final class AdamW {

    private static final float EPSILON = 1e-8f;
    private static final String MEAN = "adamw.mean/";
    private static final String VARIANCE = "adamw.variance/";

    private final NDManager manager;
    private final Map<String, NDArray> means = new HashMap<>();
    private final Map<String, NDArray> variances = new HashMap<>();
    private final Map<String, Integer> updateCounts = new HashMap<>();

    AdamW(NDManager manager) {
        this.manager = manager;
    }

    /**
     * Updates every trainable parameter from its gradient and zeroes the gradient.
     *
     * @param parameters named parameters of the model
     * @param gradients the gradient of each trainable parameter, by name
     * @param gradientScale factor applied to every gradient (global-norm clipping)
     */
    void update(
            List<Pair<String, Parameter>> parameters,
            Map<String, NDArray> gradients,
            float learningRate,
            float gradientScale,
            TrainingConfig config) {
        // NOTE: each call below is about 12 libtorch operations, and the CIFAR10 preset has 1,062
        // parameter arrays. One flat buffer would need DJL to accept views as parameter arrays.
        for (Pair<String, Parameter> entry : parameters) {
            String name = entry.getKey();
            NDArray gradient = gradients.get(name);
            if (gradient == null) {
                continue;
            }
            NDArray weight = entry.getValue().getArray();
            NDArray mean = stateFor(means, name, weight);
            NDArray variance = stateFor(variances, name, weight);
            int t = updateCounts.merge(name, 1, Integer::sum);
            double biasCorrection1 = 1 - Math.pow(config.beta1(), t);
            double biasCorrection2 = 1 - Math.pow(config.beta2(), t);
            float correctedRate = (float) (learningRate * Math.sqrt(biasCorrection2) / biasCorrection1);
            float decay = decays(name, weight) ? config.weightDecay() : 0f;
            weight.getNDArrayInternal()
                    .adamUpdate(
                            new NDList(weight, gradient, mean, variance),
                            new NDList(weight),
                            learningRate,
                            correctedRate,
                            decay,
                            gradientScale,
                            -1f,
                            config.beta1(),
                            config.beta2(),
                            EPSILON,
                            false,
                            true);
        }
    }

    /**
     * Returns the moment array of a parameter, created as zeros on first use. A parameter whose
     * shape changed (the decoder's latent position embeddings when HNT grows the model) starts
     * with fresh zero moments and a fresh bias correction.
     */
    private NDArray stateFor(Map<String, NDArray> states, String name, NDArray weight) {
        NDArray state = states.get(name);
        if (state != null && !state.getShape().equals(weight.getShape())) {
            state.close();
            state = null;
            updateCounts.remove(name);
        }
        if (state == null) {
            state = newState(weight);
            states.put(name, state);
        }
        return state;
    }

    private NDArray newState(NDArray weight) {
        return manager.zeros(weight.getShape(), weight.getDataType());
    }

    private static boolean decays(String name, NDArray weight) {
        return weight.getShape().dimension() == 2 && !name.endsWith("codebook");
    }

    /** Returns the moments as named arrays, for a checkpoint. */
    Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        means.forEach((name, array) -> state.put(MEAN + name, array));
        variances.forEach((name, array) -> state.put(VARIANCE + name, array));
        return state;
    }

    /** Returns the per-parameter update counts, for a checkpoint's metadata. */
    Map<String, Integer> updateCounts() {
        return new LinkedHashMap<>(updateCounts);
    }

    /** Restores moments and counts saved by {@link #state()} and {@link #updateCounts()}. */
    void restore(Map<String, NDArray> state, Map<String, Integer> counts) {
        clear();
        for (Map.Entry<String, NDArray> entry : state.entrySet()) {
            String key = entry.getKey();
            NDArray array = entry.getValue();
            array.attach(manager);
            if (key.startsWith(MEAN)) {
                means.put(key.substring(MEAN.length()), array);
            } else if (key.startsWith(VARIANCE)) {
                variances.put(key.substring(VARIANCE.length()), array);
            } else {
                array.close();
            }
        }
        updateCounts.putAll(counts);
    }

    /** Drops all state, e.g. before restoring. */
    void clear() {
        means.values().forEach(NDArray::close);
        variances.values().forEach(NDArray::close);
        means.clear();
        variances.clear();
        updateCounts.clear();
    }
}
