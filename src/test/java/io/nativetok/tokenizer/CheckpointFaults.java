package io.nativetok.tokenizer;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.UnaryOperator;

/**
 * Simulated disk failures for {@link CheckpointFile#write}, for tests in any package. Root can
 * write into read-only folders and tests cannot mount a small file system, so a full disk is
 * simulated by a stream that fails like one.
 */
public final class CheckpointFaults {

    /** The message Linux reports for ENOSPC. */
    public static final String DISK_FULL = "No space left on device";

    private CheckpointFaults() {}

    /**
     * Makes every checkpoint write fail with {@link #DISK_FULL} once {@code bytes} bytes of it have
     * been written, until the returned handle is closed.
     */
    public static AutoCloseable diskFullAfter(long bytes) {
        UnaryOperator<OutputStream> previous = CheckpointFile.outputFilter;
        CheckpointFile.outputFilter = out -> new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(int b) throws IOException {
                count(1);
                out.write(b);
            }

            @Override
            public void write(byte[] data, int offset, int length) throws IOException {
                count(length);
                out.write(data, offset, length);
            }

            private void count(int length) throws IOException {
                written += length;
                if (written > bytes) {
                    throw new IOException(DISK_FULL);
                }
            }
        };
        return () -> CheckpointFile.outputFilter = previous;
    }
}
