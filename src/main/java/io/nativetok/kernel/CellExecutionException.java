package io.nativetok.kernel;

import java.util.List;

/**
 * A statement of the cell threw an exception or error, including {@code OutOfMemoryError}; the
 * message starts with the class name of what was thrown.
 */
final class CellExecutionException extends CellException {

    private static final long serialVersionUID = 1L;

    CellExecutionException(String message, List<String> traceback) {
        super(message, traceback);
    }
}
