package io.nativetok.kernel;

import java.util.List;

/** Failure of a cell that the user interrupted. Statements after the interrupted one did not run. */
final class CellInterruptedException extends CellException {

    private static final long serialVersionUID = 1L;

    CellInterruptedException(String message, List<String> traceback) {
        super(message, traceback);
    }
}
