package io.nativetok.util;

/**
 * Receiver of progress reports from long work such as a download.
 *
 * <p>Calls may come from a thread other than the one that started the work, but never from two
 * threads at once for one piece of work.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Listener that ignores every report. */
    ProgressListener NONE = (done, total) -> { };

    /**
     * Reports that {@code done} units of {@code total} are finished.
     *
     * @param done units finished so far, such as bytes received
     * @param total total units, or -1 when the total is not known
     */
    void onProgress(long done, long total);
}
