package io.nativetok.kernel;

import java.util.List;

/** Failure of a cell with a statement that does not compile. The statements before it have run. */
final class CellCompilationException extends CellException {

    private static final long serialVersionUID = 1L;

    CellCompilationException(String message, List<String> traceback) {
        super(message, traceback);
    }
}
