package io.nativetok.util;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CSV files that training runs append one row per step or evaluation to, with the step in the
 * first column. A resumed run first calls {@link #prepare}, which drops the rows of steps after
 * the resume point (written before a crash and then repeated), so that every step appears once.
 */
public final class StepCsv {

    private static final Logger logger = LoggerFactory.getLogger(StepCsv.class);

    private StepCsv() {}

    /**
     * Creates {@code file} with {@code header}, or rewrites an existing file with {@code header},
     * keeping its complete rows up to step {@code lastKeptStep}. A row cut off by a crash mid-write
     * has too few columns and is dropped with a warning. In a file written with {@code olderHeader},
     * which lacks the header's last column, each row gets that column empty; pass {@code header}
     * when there is no older layout.
     *
     * @throws NativeTokException when the file cannot be read or written
     */
    public static void prepare(Path file, String header, String olderHeader, long lastKeptStep) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.writeString(file, header + "\n", StandardCharsets.UTF_8);
                return;
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean older = !olderHeader.equals(header) && !lines.isEmpty() && lines.get(0).equals(olderHeader);
            StringBuilder keptRows = new StringBuilder(header).append('\n');
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("step,")) {
                    continue;
                }
                if (older) {
                    line = line + ",";
                }
                long step = stepOf(line, header);
                if (step < 0) {
                    logger.warn("Dropping malformed row from {}, as a crash mid-write leaves: {}", file, line);
                } else if (step <= lastKeptStep) {
                    keptRows.append(line).append('\n');
                }
            }
            Files.writeString(file, keptRows.toString(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new NativeTokException(
                    "Failed to prepare metrics file " + file + ": " + e.getMessage()
                            + ". Check that the output folder is writable.",
                    e);
        }
    }

    /**
     * Appends one row to a file made by {@link #prepare}.
     *
     * @throws NativeTokException when the file cannot be written
     */
    public static void append(Path file, String row) {
        try (BufferedWriter writer =
                Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            writer.write(row);
            writer.write('\n');
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to append to metrics file " + file + ": " + e.getMessage()
                            + ". Check that the output folder is writable and the disk has space.",
                    e);
        }
    }

    /** Returns the step of a complete row, or -1 for a row with the wrong column count or no step. */
    private static long stepOf(String line, String header) {
        if (columns(line) != columns(header)) {
            return -1;
        }
        try {
            return Long.parseLong(line.substring(0, line.indexOf(',')));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int columns(String line) {
        return line.split(",", -1).length;
    }
}
