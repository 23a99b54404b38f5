package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Location of the real data sets for tests, found the way the command line finds them.
 *
 * <p>CIFAR-10: {@code NATIVETOK_DATA}, else {@code datasets/cifar10} in the working directory.
 * ImageNet sample: {@code NATIVETOK_IMAGENET_SAMPLE}, else {@code imagenet-sample-1000} beside the
 * CIFAR-10 folder. When the data is missing, tests are skipped, unless
 * {@code NATIVETOK_REQUIRE_DATA=1} (set by {@code bin/test}), where they fail. The ImageNet sample
 * has no public download, so under that setting it is required only when
 * {@code NATIVETOK_IMAGENET_SAMPLE} names it, as CI does. Otherwise its tests are skipped.
 */
public final class TestData {

    private TestData() {
    }

    /** Returns the CIFAR-10 folder, or skips (or fails) the test when it is incomplete. */
    public static Path cifar10() {
        Path folder = cifar10Folder();
        List<String> missing = Cifar10.missingFiles(folder);
        if (!missing.isEmpty()) {
            unavailable("CIFAR-10 not found in " + folder + " (missing " + String.join(", ", missing) + "). Set "
                    + "NATIVETOK_DATA to a folder with the six .bin files, or run `nativetok data download cifar10`.");
        }
        return folder;
    }

    /** Returns the ImageNet sample folder (with {@code images/}), or skips (or fails) the test when it is missing. */
    public static Path imagenetSample() {
        String variable = System.getenv("NATIVETOK_IMAGENET_SAMPLE");
        boolean named = variable != null && !variable.isBlank();
        Path folder = named
                ? Path.of(variable).toAbsolutePath().normalize()
                : cifar10Folder().resolveSibling("imagenet-sample-1000");
        if (!Files.isDirectory(folder.resolve("images"))) {
            String message = "ImageNet sample not found: " + folder.resolve("images") + " is not a folder. Set "
                    + "NATIVETOK_IMAGENET_SAMPLE to a folder whose images/ subfolder holds the 1,000 JPEG files.";
            if (named) {
                unavailable(message);
            }
            Assumptions.abort(message);
        }
        return folder;
    }

    private static Path cifar10Folder() {
        String variable = System.getenv(DataLocation.ENVIRONMENT_VARIABLE);
        Path folder = variable != null && !variable.isBlank() ? Path.of(variable) : DataLocation.DEFAULT_FOLDER;
        return folder.toAbsolutePath().normalize();
    }

    private static void unavailable(String message) {
        if ("1".equals(System.getenv("NATIVETOK_REQUIRE_DATA"))) {
            fail(message + " NATIVETOK_REQUIRE_DATA=1 is set, so missing data fails the test.");
        }
        Assumptions.abort(message);
    }
}
