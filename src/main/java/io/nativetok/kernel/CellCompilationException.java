package io.nativetok.kernel;

import java.util.List;

/** A statement of the cell does not compile; the statements before it have run. */
final class CellCompilationException extends CellException {

    private static final long serialVersionUID = 1L;

    CellCompilationException(String message, List<String> traceback) {
        super(message, traceback);
    }
}
