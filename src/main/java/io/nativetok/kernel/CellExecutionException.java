package io.nativetok.kernel;

import java.util.List;

/**
 * Failure of a cell whose statement threw an exception or error, {@code OutOfMemoryError}
 * included. The message starts with the class name of what was thrown.
 */
final class CellExecutionException extends CellException {

    private static final long serialVersionUID = 1L;

    CellExecutionException(String message, List<String> traceback) {
        super(message, traceback);
    }
}
