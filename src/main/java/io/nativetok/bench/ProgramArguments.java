package io.nativetok.bench;

import io.nativetok.data.Cifar10;
import io.nativetok.data.DataException;
import io.nativetok.data.ImageSet;
import java.nio.file.Path;

/**
 * Argument checks for the single-file benchmark programs under {@code bench/}, which exit with a
 * one-line message instead of a stack trace.
 */
public final class ProgramArguments {

    private ProgramArguments() {}

    /** Parses a count argument, or exits with status 2 and a message naming the bad value. */
    public static int count(String value, String name) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        System.err.println("error: " + name + " is '" + value + "'; expected a whole number of at least 1.");
        System.exit(2);
        return 0;
    }

    /** Loads the CIFAR-10 test split from {@code folder}, or exits with status 1 and the loader's message. */
    public static ImageSet cifar10Test(String folder) {
        try {
            return Cifar10.load(Path.of(folder), Cifar10.Split.TEST);
        } catch (DataException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return null;
        }
    }
}
