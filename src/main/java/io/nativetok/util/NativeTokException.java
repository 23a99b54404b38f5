package io.nativetok.util;

/**
 * Base class of the errors this kit raises for bad input, missing data and failed runs.
 *
 * <p>Every message names the bad value, what was expected and what to do next, so the command
 * line can print it as it is, without a stack trace.
 */
public class NativeTokException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message for the user. */
    public NativeTokException(String message) {
        super(message);
    }

    /** Creates an exception with a message for the user and the underlying cause. */
    public NativeTokException(String message, Throwable cause) {
        super(message, cause);
    }
}
