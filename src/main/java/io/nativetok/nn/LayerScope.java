package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Runs one layer of an inference pass in a manager of its own and keeps only its output.
 *
 * <p>DJL frees an intermediate array only when its manager closes. Without autograd no
 * intermediate array is needed after its layer, so running each layer in its own sub-manager keeps
 * one layer's intermediates at a time instead of a whole stack's.
 */
public final class LayerScope {

    private LayerScope() {}

    /** Returns whether layers may free their intermediates: not training and no autograd graph. */
    public static boolean freesLayers(boolean training) {
        return !training && !GradMode.isOn();
    }

    /**
     * Applies {@code layer} to {@code x} in a sub-manager of {@code x}'s manager and returns the
     * output in that manager.
     *
     * @param ownsInput whether {@code x} is an earlier layer's output that may be freed with the
     *     scope; otherwise {@code x} is only lent to it
     */
    public static NDArray apply(NDArray x, boolean ownsInput, UnaryOperator<NDArray> layer) {
        NDManager outer = x.getManager();
        try (NDManager scope = outer.newSubManager()) {
            if (ownsInput) {
                x.attach(scope);
            } else {
                x.tempAttach(scope);
            }
            NDArray y = layer.apply(x);
            y.attach(outer);
            return y;
        }
    }
}
