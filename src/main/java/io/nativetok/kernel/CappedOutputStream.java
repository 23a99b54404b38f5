package io.nativetok.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Standard output or error of one cell: collects what the cell prints, forwards it to Jupyter in
 * batches, and drops what comes after a byte limit.
 *
 * <p>Without batching, each {@code println} would become one Jupyter message, and a loop that
 * prints 100,000 lines would flood the client. {@link #flush()} forwards at most once per {@link
 * #minFlushIntervalNanos}. The kernel also calls {@link #forward()} on a timer and {@link #finish()}
 * when the cell ends. Only whole UTF-8 characters are forwarded, so no character is split between
 * messages.
 */
final class CappedOutputStream extends OutputStream {

    /** Pending bytes above which a write forwards at once. */
    private static final int FORWARD_THRESHOLD_BYTES = 64 * 1024;

    private final PrintStream target;
    private final String streamName;
    private final long limitBytes;
    private final long minFlushIntervalNanos;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private long acceptedBytes;
    private long droppedBytes;
    private long lastForwardNanos = System.nanoTime();
    private boolean finished;

    /**
     * Creates the stream.
     *
     * @param target the stream that sends to Jupyter, flushed once per forwarded batch
     * @param streamName "stdout" or "stderr", for the truncation notice
     * @param limitBytes bytes of the cell's output to forward, after which the rest is dropped
     * @param minFlushIntervalMillis least time between two forwards caused by {@link #flush()}
     */
    CappedOutputStream(PrintStream target, String streamName, long limitBytes, long minFlushIntervalMillis) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("limitBytes is " + limitBytes + ", expected a positive byte count");
        }
        this.target = target;
        this.streamName = streamName;
        this.limitBytes = limitBytes;
        this.minFlushIntervalNanos = minFlushIntervalMillis * 1_000_000L;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        long room = limitBytes - acceptedBytes;
        int accepted = (int) Math.max(0, Math.min(room, length));
        if (accepted > 0) {
            pending.write(bytes, offset, accepted);
            acceptedBytes += accepted;
        }
        int dropped = length - accepted;
        if (dropped > 0) {
            if (droppedBytes == 0) {
                dropUnfinishedCharacter();
                byte[] notice = ("\n[Output truncated: this cell wrote more than " + describeBytes(limitBytes)
                        + " to " + streamName + "; the rest is dropped. Write large output to a file.]\n")
                        .getBytes(StandardCharsets.UTF_8);
                pending.write(notice, 0, notice.length);
            }
            droppedBytes += dropped;
        }
        if (pending.size() >= FORWARD_THRESHOLD_BYTES) {
            forward();
        }
    }

    /** Forwards pending output unless the last forward was less than the minimum interval ago. */
    @Override
    public synchronized void flush() {
        if (System.nanoTime() - lastForwardNanos >= minFlushIntervalNanos) {
            forward();
        }
    }

    /** Sends the pending whole characters to Jupyter as one message. */
    synchronized void forward() {
        lastForwardNanos = System.nanoTime();
        byte[] bytes = pending.toByteArray();
        int complete = completeUtf8Length(bytes);
        if (complete == 0) {
            return;
        }
        target.write(bytes, 0, complete);
        target.flush();
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
    }

    /**
     * Forwards what is pending and, when output was dropped, how much. A character cut by the limit
     * is dropped. Calls after the first do nothing.
     */
    synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        forward();
        pending.reset();
        if (droppedBytes > 0) {
            String summary = "[" + describeBytes(droppedBytes) + " of " + streamName + " dropped]\n";
            target.print(summary);
            target.flush();
        }
    }

    private void dropUnfinishedCharacter() {
        byte[] bytes = pending.toByteArray();
        int complete = completeUtf8Length(bytes);
        if (complete < bytes.length) {
            pending.reset();
            pending.write(bytes, 0, complete);
        }
    }

    /** Returns the number of bytes that were dropped because of the limit. */
    synchronized long droppedBytes() {
        return droppedBytes;
    }

    /** Returns the length of the longest prefix of {@code bytes} that ends on a character boundary. */
    static int completeUtf8Length(byte[] bytes) {
        int end = bytes.length;
        // A UTF-8 character has at most 4 bytes, so only the last 3 bytes can start an unfinished one.
        for (int back = 1; back <= Math.min(3, end); back++) {
            int b = bytes[end - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead byte
            }
            int needed = sequenceLength(b);
            return needed > back ? end - back : end;
        }
        return end;
    }

    /** Returns the byte count of the UTF-8 sequence that starts with {@code leadByte}. */
    private static int sequenceLength(int leadByte) {
        if (leadByte >= 0xF0) {
            return 4;
        }
        if (leadByte >= 0xE0) {
            return 3;
        }
        if (leadByte >= 0xC0) {
            return 2;
        }
        return 1;
    }

    static String describeBytes(long bytes) {
        if (bytes >= 1 << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
        }
        if (bytes >= 1 << 10) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", bytes / (double) (1 << 10));
        }
        return bytes + " bytes";
    }
}
