package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CappedOutputStreamTest {

    /** Collects forwarded bytes and counts how often the capped stream flushed its target. */
    private static final class Target extends ByteArrayOutputStream {
        int flushes;

        @Override
        public void flush() {
            flushes++;
        }

        String text() {
            return toString(StandardCharsets.UTF_8);
        }
    }

    private static void write(CappedOutputStream stream, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        stream.write(bytes, 0, bytes.length);
    }

    @Test
    void outputUnderLimitPassesThrough() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stdout", 100, 0);

        write(stream, "hello\n");
        stream.finish();

        assertEquals("hello\n", target.text());
        assertEquals(0, stream.droppedBytes());
    }

    @Test
    void outputOverLimitTruncatedWithNotice() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stdout", 10, 0);

        write(stream, "0123456789abcdefghijklmno");
        stream.finish();

        String text = target.text();
        assertTrue(text.startsWith("0123456789\n[Output truncated: this cell wrote more than 10 bytes to stdout"), text);
        assertTrue(text.endsWith("[15 bytes of stdout dropped]\n"), text);
        assertEquals(15, stream.droppedBytes());
    }

    @Test
    void finishTwiceReportsDropOnce() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stderr", 4, 0);

        write(stream, "123456");
        stream.finish();
        stream.finish();

        assertEquals(1, target.text().split("of stderr dropped", -1).length - 1, target.text());
    }

    @Test
    void flushForwardsAtMostOncePerInterval() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stdout", 1 << 20, 60_000);

        for (int i = 0; i < 1000; i++) {
            write(stream, "line " + i + "\n");
            stream.flush();
        }

        assertEquals(0, target.size(), "flush() forwarded before the interval passed");
        stream.forward();
        assertEquals(1, target.flushes);
        assertTrue(target.text().endsWith("line 999\n"), target.text());
    }

    @Test
    void largeWriteForwardsWithoutFlush() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stdout", 1 << 20, 60_000);

        write(stream, "x".repeat(100_000));

        assertEquals(100_000, target.size());
    }

    @Test
    void forwardKeepsUnfinishedCharacter() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stdout", 100, 0);
        byte[] eAcute = "é".getBytes(StandardCharsets.UTF_8);

        write(stream, "a");
        stream.write(eAcute, 0, 1);
        stream.forward();
        assertEquals("a", target.text());

        stream.write(eAcute, 1, 1);
        stream.finish();
        assertEquals("aé", target.text());
    }

    @Test
    void limitDropsCharacterItCuts() {
        Target target = new Target();
        CappedOutputStream stream = new CappedOutputStream(new PrintStream(target), "stdout", 2, 0);

        write(stream, "aé");
        stream.finish();

        assertTrue(target.text().startsWith("a\n[Output truncated"), target.text());
    }

    @Test
    void completeUtf8LengthFindsBoundary() {
        byte[] text = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes

        assertEquals(10, CappedOutputStream.completeUtf8Length(text));
        for (int cut = 1; cut <= 3; cut++) {
            byte[] prefix = java.util.Arrays.copyOf(text, text.length - cut);
            assertEquals(6, CappedOutputStream.completeUtf8Length(prefix), "cut " + cut + " bytes of the emoji");
        }
        assertEquals(3, CappedOutputStream.completeUtf8Length(java.util.Arrays.copyOf(text, 4)));
        assertEquals(0, CappedOutputStream.completeUtf8Length(new byte[0]));
    }
}
