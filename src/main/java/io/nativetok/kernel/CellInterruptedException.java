package io.nativetok.kernel;

import java.util.List;

/** The cell was interrupted by the user; statements after the interrupted one did not run. */
final class CellInterruptedException extends CellException {

    private static final long serialVersionUID = 1L;

    CellInterruptedException(String message, List<String> traceback) {
        super(message, traceback);
    }
}
