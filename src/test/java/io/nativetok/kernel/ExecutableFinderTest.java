package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableFinderTest {

    private static Path createFile(Path directory, String permissions) throws IOException {
        Path file = directory.resolve("jupyter");
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void findSkipsNonExecutableFile(@TempDir Path first, @TempDir Path second) throws IOException {
        createFile(first, "rw-r--r--");
        Path executable = createFile(second, "rwxr-xr-x");

        Optional<Path> found = new ExecutableFinder(List.of(first, second)).find("jupyter");

        assertEquals(Optional.of(executable), found);
    }

    @Test
    void findReturnsEmptyWhenMissing(@TempDir Path empty) {
        assertTrue(new ExecutableFinder(List.of(empty)).find("jupyter").isEmpty());
    }

    @Test
    void environmentFinderIncludesSystemDirectories() {
        List<Path> directories = ExecutableFinder.fromEnvironment().directories();

        assertTrue(directories.containsAll(ExecutableFinder.FALLBACK_DIRECTORIES), directories.toString());
    }
}
