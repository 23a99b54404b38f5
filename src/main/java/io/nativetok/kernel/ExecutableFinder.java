package io.nativetok.kernel;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Finds an executable by name in a list of directories, like a shell searches PATH. */
public final class ExecutableFinder {

    /** Directories searched after PATH, where Debian's and pip's system-wide Jupyter live. */
    static final List<Path> FALLBACK_DIRECTORIES = List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"));

    private final List<Path> directories;

    /** Creates a finder that searches {@code directories} in order. */
    public ExecutableFinder(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    /**
     * Returns a finder over the PATH environment variable followed by /usr/bin and /usr/local/bin,
     * because the first Python on PATH may be one without Jupyter while the system one has it.
     */
    public static ExecutableFinder fromEnvironment() {
        Set<Path> directories = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    directories.add(Path.of(entry));
                }
            }
        }
        directories.addAll(FALLBACK_DIRECTORIES);
        return new ExecutableFinder(new ArrayList<>(directories));
    }

    /** Returns the first regular, executable file named {@code name} in the directories. */
    public Optional<Path> find(String name) {
        for (Path directory : directories) {
            Path candidate = directory.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** Returns the directories searched, in order. */
    public List<Path> directories() {
        return directories;
    }
}
