package io.nativetok.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads this process's memory figures from Linux's {@code /proc}. Every method returns -1 where
 * the figure cannot be read, as on macOS and Windows.
 */
public final class ProcessMemory {

    private ProcessMemory() {}

    /** Returns this process's resident memory now (VmRSS) in bytes, or -1 where unknown. */
    public static long residentBytes() {
        return procValueBytes(Path.of("/proc/self/status"), "VmRSS:");
    }

    /** Returns this process's peak resident memory so far (VmHWM) in bytes, or -1 where unknown. */
    public static long peakResidentBytes() {
        return procValueBytes(Path.of("/proc/self/status"), "VmHWM:");
    }

    /** Returns the machine's available memory (MemAvailable) in bytes, or -1 where unknown. */
    public static long availableBytes() {
        return procValueBytes(Path.of("/proc/meminfo"), "MemAvailable:");
    }

    /** Reads a {@code "Key:   123 kB"} line of a /proc file as bytes. */
    private static long procValueBytes(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] fields = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(fields[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
