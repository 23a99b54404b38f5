package io.nativetok.kernel;

import java.util.List;

/**
 * Failure of a notebook cell, with the lines that the notebook shows as its traceback.
 *
 * <p>The kernel reports the simple class name as the error name, the message as the error value
 * and {@link #traceback()} as the traceback. The JVM and the JShell session stay usable, and so do
 * the variables that earlier cells and earlier statements of the failed cell defined.
 */
abstract class CellException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> traceback;

    CellException(String message, List<String> traceback) {
        super(message);
        this.traceback = List.copyOf(traceback);
    }

    /** Returns the lines to show in the notebook, without line breaks inside a line. */
    List<String> traceback() {
        return traceback;
    }
}
