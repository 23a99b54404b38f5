package io.nativetok.train;

import io.nativetok.util.NativeTokException;

/**
 * Raised when a loss term or the gradient norm is NaN or infinite. The update of that step is not
 * applied, so the model keeps its last finite parameters and the last checkpoint stays valid.
 * Also raised by a trainer's save when a parameter is NaN or infinite; the checkpoint is then not
 * written.
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

    /** Creates the exception with its own message, for a divergence found outside an update. */
    DivergenceException(long step, String term, double value, String message) {
        super(message);
        this.step = step;
        this.term = term;
        this.value = value;
    }

    /**
     * Returns the step (1-based) whose update was skipped or, when a save found the parameters not
     * finite, the step whose checkpoint was not written.
     */
    public long step() {
        return step;
    }

    /**
     * Returns what was not finite: a loss term's name, {@code loss} for the total, or the gradient
     * norm or the parameters with the names of the arrays at fault.
     */
    public String term() {
        return term;
    }

    /** Returns the non-finite value. */
    public double value() {
        return value;
    }
}
