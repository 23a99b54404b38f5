package io.nativetok.util;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Text progress bar for long work: done and total, rate, estimated time left and an optional
 * trailing message such as {@code "loss 0.0123"}.
 *
 * <p>On a terminal it redraws one line in place with {@code '\r'}, at most every 200 ms. On any
 * other stream (a log file, a notebook cell, a pipe) it prints a plain line at most once per
 * interval (10 s by default) and a final line from {@link #finish()}, so logs stay short.
 *
 * <pre>{@code
 * try (ProgressBar bar = ProgressBar.builder().label("train").total(steps).build()) {
 *     for (int step = 1; step <= steps; step++) {
 *         ...
 *         bar.update(step, String.format("loss %.4f", loss));
 *     }
 * }
 * }</pre>
 *
 * <p>The methods are synchronized, so a download thread may report while another thread reads.
 */
public final class ProgressBar implements ProgressListener, AutoCloseable {

    /** Unit of the counted work, which sets how counts and rates are printed. */
    public enum Unit {
        /** Plain counts, rate in items per second ({@code it/s}). */
        ITEMS,
        /** Byte counts, printed in MB (10^6 bytes), rate in MB/s. */
        BYTES
    }

    private static final long TERMINAL_REDRAW_NANOS = 200_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final String label;
    private final Unit unit;
    private final boolean terminal;
    private final long plainIntervalNanos;
    private final LongSupplier clock;
    private long startNanos;
    private long baseline;
    private long total;
    private long current;
    private String message = "";
    private long lastDrawNanos;
    private int lastLineLength;
    private boolean finished;

    private ProgressBar(Builder builder) {
        this.out = builder.out;
        this.label = builder.label;
        this.unit = builder.unit;
        this.terminal = builder.terminal;
        this.plainIntervalNanos = builder.plainInterval.toNanos();
        this.clock = builder.clock;
        this.total = builder.total;
        this.startNanos = clock.getAsLong();
        this.lastDrawNanos = startNanos;
    }

    /** Returns a builder with a total of -1 (unknown), unit ITEMS and output to System.err. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Marks {@code done} as work finished before this bar started counting, such as the step a
     * resumed run continues from, and restarts the clock. The rate and the time left then count
     * only the work after it.
     */
    public synchronized void startAt(long done) {
        this.baseline = done;
        this.current = done;
        this.startNanos = clock.getAsLong();
        this.lastDrawNanos = startNanos;
    }

    /** Sets the amount of work done and redraws when the redraw interval has passed. */
    public synchronized void update(long done) {
        this.current = done;
        drawIfDue();
    }

    /** Sets the amount of work done and the trailing message, then redraws when due. */
    public synchronized void update(long done, String message) {
        this.current = done;
        this.message = message == null ? "" : message;
        drawIfDue();
    }

    /** Adds {@code count} to the amount of work done and redraws when due. */
    public synchronized void step(long count) {
        update(current + count);
    }

    /** Sets the total amount of work; zero or negative means unknown. */
    public synchronized void setTotal(long total) {
        this.total = total;
    }

    /** Updates the bar from a {@link ProgressListener} report; a known total replaces the old one. */
    @Override
    public synchronized void onProgress(long done, long total) {
        if (total > 0) {
            this.total = total;
        }
        update(done);
    }

    /**
     * Prints the final line with the elapsed time in place of the time left. Later calls do
     * nothing, and later updates are ignored.
     */
    public synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        String line = render(clock.getAsLong(), true);
        if (terminal) {
            out.print('\r' + padToLastLine(line) + System.lineSeparator());
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Calls {@link #finish()}. */
    @Override
    public void close() {
        finish();
    }

    private void drawIfDue() {
        if (finished) {
            return;
        }
        long now = clock.getAsLong();
        long interval = terminal ? TERMINAL_REDRAW_NANOS : plainIntervalNanos;
        if (now - lastDrawNanos < interval) {
            return;
        }
        lastDrawNanos = now;
        String line = render(now, false);
        if (terminal) {
            out.print('\r' + padToLastLine(line));
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Pads with spaces so that a shorter line fully overwrites the previous one on a terminal. */
    private String padToLastLine(String line) {
        int previous = lastLineLength;
        lastLineLength = line.length();
        return line.length() >= previous ? line : line + " ".repeat(previous - line.length());
    }

    /** Renders the line; {@code done} shows the elapsed time instead of the time left. */
    String render(long nowNanos, boolean done) {
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        double rate = Math.max(0, current - baseline) / seconds;
        boolean totalKnown = total > 0;
        StringBuilder line = new StringBuilder();

        if (!label.isEmpty()) {
            line.append(label).append(' ');
        }
        if (totalKnown) {
            double fraction = Math.min(1.0, Math.max(0.0, (double) current / total));
            if (terminal) {
                int filled = (int) Math.round(fraction * BAR_WIDTH);
                line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
            }
            line.append(String.format(Locale.ROOT, "%3d%% ", (int) Math.floor(fraction * 100)));
            line.append(formatAmount(current)).append('/').append(formatAmount(total));
        } else {
            line.append(formatAmount(current));
        }
        line.append(unit == Unit.BYTES ? " MB" : "");
        line.append("  ").append(formatRate(rate));

        if (done) {
            line.append("  in ").append(formatDuration(seconds));
        } else if (totalKnown && rate > 0 && current < total) {
            line.append("  ETA ").append(formatDuration((total - current) / rate));
        }
        if (!message.isEmpty()) {
            line.append("  ").append(message);
        }
        return line.toString();
    }

    private String formatAmount(long amount) {
        if (unit == Unit.BYTES) {
            return String.format(Locale.ROOT, "%.1f", amount / 1e6);
        }
        return Long.toString(amount);
    }

    private String formatRate(double rate) {
        if (unit == Unit.BYTES) {
            return String.format(Locale.ROOT, "%.2f MB/s", rate / 1e6);
        }
        return String.format(Locale.ROOT, rate < 10 ? "%.2f it/s" : "%.1f it/s", rate);
    }

    /** Formats seconds as {@code m:ss} or {@code h:mm:ss}. */
    static String formatDuration(double seconds) {
        long whole = (long) Math.ceil(seconds);
        long hours = whole / 3600;
        long minutes = (whole % 3600) / 60;
        long rest = whole % 60;
        if (hours > 0) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, rest);
        }
        return String.format(Locale.ROOT, "%d:%02d", minutes, rest);
    }

    /** Options of a {@link ProgressBar}. */
    public static final class Builder {
        private PrintStream out = System.err;
        private String label = "";
        private Unit unit = Unit.ITEMS;
        private long total = -1;
        private boolean terminal = System.console() != null;
        private Duration plainInterval = Duration.ofSeconds(10);
        private LongSupplier clock = System::nanoTime;

        private Builder() {
        }

        /** Sets the stream to write to; System.err by default. */
        public Builder out(PrintStream out) {
            this.out = Objects.requireNonNull(out, "out");
            return this;
        }

        /** Sets the text printed at the start of every line, such as {@code "train"}. */
        public Builder label(String label) {
            this.label = Objects.requireNonNull(label, "label");
            return this;
        }

        /** Sets the unit of the counted work; ITEMS by default. */
        public Builder unit(Unit unit) {
            this.unit = Objects.requireNonNull(unit, "unit");
            return this;
        }

        /** Sets the total amount of work; zero or negative means unknown, which hides percent and ETA. */
        public Builder total(long total) {
            this.total = total;
            return this;
        }

        /**
         * Sets whether to redraw one line in place. The default is true when the JVM has a console
         * ({@code System.console() != null}), which is false when output is redirected.
         */
        public Builder terminal(boolean terminal) {
            this.terminal = terminal;
            return this;
        }

        /** Sets the minimum time between two plain lines when not on a terminal; 10 s by default. */
        public Builder plainInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException(
                        "Invalid progress interval " + interval + ": expected zero or more. Pass a duration such as 10 s.");
            }
            this.plainInterval = interval;
            return this;
        }

        /** Sets the time source in nanoseconds, {@code System::nanoTime} by default; tests pass a fake clock. */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Returns the bar; its clock starts now. */
        public ProgressBar build() {
            return new ProgressBar(this);
        }
    }
}
