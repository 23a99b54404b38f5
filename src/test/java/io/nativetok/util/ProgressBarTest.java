package io.nativetok.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private static final long SECOND = 1_000_000_000L;

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong();

    private String output() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void plainModePrintsAtIntervalAndFinalLine() {
        ProgressBar bar = ProgressBar.builder().out(out).terminal(false).label("train").total(100)
                .plainInterval(Duration.ofSeconds(10)).clock(clock::get).build();

        clock.set(SECOND);
        bar.update(10);
        assertEquals("", output(), "nothing is printed before the first interval has passed");

        clock.set(10 * SECOND);
        bar.update(50, "loss 0.5000");
        clock.set(15 * SECOND);
        bar.update(60);
        clock.set(21 * SECOND);
        bar.update(100);
        clock.set(22 * SECOND);
        bar.finish();
        bar.finish();

        String[] lines = output().split(System.lineSeparator());
        assertEquals(3, lines.length, output());
        assertEquals("train  50% 50/100  5.00 it/s  ETA 0:10  loss 0.5000", lines[0]);
        assertEquals("train 100% 100/100  4.76 it/s  loss 0.5000", lines[1]);
        assertEquals("train 100% 100/100  4.55 it/s  in 0:22  loss 0.5000", lines[2]);
        assertFalse(output().contains("\r"), "plain mode never uses carriage returns");
    }

    @Test
    void resumedBarRateCountsNewWork() {
        ProgressBar bar = ProgressBar.builder().out(out).terminal(false).label("train").total(5000)
                .plainInterval(Duration.ofSeconds(10)).clock(clock::get).build();
        clock.set(3 * SECOND);
        bar.startAt(2750);

        clock.set(13 * SECOND);
        bar.update(2755);

        assertEquals("train  55% 2755/5000  0.50 it/s  ETA 1:14:50" + System.lineSeparator(), output(),
                "5 steps in 10 s since the resume: 0.5 it/s and 2,245 steps left");
    }

    @Test
    void plainModeIgnoresUpdatesAfterFinish() {
        ProgressBar bar = ProgressBar.builder().out(out).terminal(false).total(10).clock(clock::get).build();
        clock.set(SECOND);
        bar.finish();
        clock.set(100 * SECOND);
        bar.update(5);

        assertEquals("  0% 0/10  0.00 it/s  in 0:01" + System.lineSeparator(), output());
    }

    @Test
    void terminalModeRedrawsInPlace() {
        ProgressBar bar = ProgressBar.builder().out(out).terminal(true).label("eval").total(4).clock(clock::get)
                .build();
        clock.set(SECOND);
        bar.update(2, "psnr 20.1 dB");
        clock.set(SECOND + 100_000_000L);
        bar.update(3);
        clock.set(2 * SECOND);
        bar.update(3, "");
        clock.set(3 * SECOND);
        bar.finish();

        String text = output();
        assertEquals(3, text.chars().filter(c -> c == '\r').count(), text);
        assertEquals(1, text.split(System.lineSeparator(), -1).length - 1, "only the final line ends the line");
        assertTrue(text.startsWith("\reval [############............]  50% 2/4  2.00 it/s  ETA 0:01  psnr 20.1 dB"),
                text);
        // The shorter redraw is padded with spaces so no text of the longer line remains.
        String second = text.split("\r")[2];
        assertEquals(text.split("\r")[1].length(), second.length(), text);
        assertTrue(text.endsWith(System.lineSeparator()), text);
        assertTrue(text.stripTrailing().endsWith("75% 3/4  1.00 it/s  in 0:03"), text);
    }

    @Test
    void bytesUnitPrintsMegabytes() {
        ProgressBar bar = ProgressBar.builder().out(out).terminal(false).unit(ProgressBar.Unit.BYTES)
                .plainInterval(Duration.ZERO).clock(clock::get).build();
        clock.set(2 * SECOND);
        bar.onProgress(12_300_000, 163_000_000);

        assertEquals("  7% 12.3/163.0 MB  6.15 MB/s  ETA 0:25" + System.lineSeparator(), output());
    }

    @Test
    void unknownTotalHidesPercentAndEta() {
        ProgressBar bar = ProgressBar.builder().out(out).terminal(false).label("download")
                .unit(ProgressBar.Unit.BYTES).plainInterval(Duration.ZERO).clock(clock::get).build();
        clock.set(SECOND);
        bar.onProgress(1_500_000, -1);

        assertEquals("download 1.5 MB  1.50 MB/s" + System.lineSeparator(), output());
    }

    @Test
    void durationFormatsHoursMinutesSeconds() {
        assertEquals("0:00", ProgressBar.formatDuration(0));
        assertEquals("0:59", ProgressBar.formatDuration(58.2));
        assertEquals("2:05", ProgressBar.formatDuration(125));
        assertEquals("1:01:01", ProgressBar.formatDuration(3661));
    }
}
