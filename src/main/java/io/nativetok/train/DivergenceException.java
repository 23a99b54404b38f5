package io.nativetok.train;

import io.nativetok.util.NativeTokException;

/**
 * Raised when a loss term or the gradient norm is NaN or infinite. The update of that step is not
 * applied, so the model keeps its last finite parameters and the last checkpoint stays valid.
 */
public final class DivergenceException extends NativeTokException {

    private static final long serialVersionUID = 1L;

    private final long step;
    private final String term;
    private final double value;

    /** Creates the exception for {@code term} having {@code value} at {@code step}. */
    public DivergenceException(long step, String term, double value) {
        super(
                "Training diverged at step " + step + ": " + term + " is " + value
                        + ". The update was not applied and the last checkpoint is unchanged."
                        + " Resume from it with a lower learning rate (e.g. half) or a lower"
                        + " gradient clip norm.");
        this.step = step;
        this.term = term;
        this.value = value;
    }

    /** Returns the step (1-based) whose update was skipped. */
    public long step() {
        return step;
    }

    /** Returns the name of the loss term or {@code gradient norm}. */
    public String term() {
        return term;
    }

    /** Returns the non-finite value. */
    public double value() {
        return value;
    }
}
