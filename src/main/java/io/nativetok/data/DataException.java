package io.nativetok.data;

import io.nativetok.util.NativeTokException;

/** Error for missing, incomplete or invalid data: a folder, a file, a record or a download. */
public class DataException extends NativeTokException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message for the user. */
    public DataException(String message) {
        super(message);
    }

    /** Creates an exception with a message for the user and the underlying cause. */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
