package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's Python and Jupyter, which the kernel tests drive through {@link #requireInstalled()}. */
final class JupyterTools {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path JUPYTER = Path.of("/usr/bin/jupyter");

    /** Debian packages that provide what the tests need. */
    static final String APT_PACKAGES = "jupyter-client jupyter-nbconvert python3-nbclient python3-ipykernel";

    private JupyterTools() {}

    /**
     * Fails the test, rather than skipping it, when Debian's Jupyter is missing, so that a CI
     * machine without it cannot pass the kernel tests unnoticed.
     */
    static void requireInstalled() throws IOException, InterruptedException {
        String install = " Install them with: sudo apt-get install -y " + APT_PACKAGES
                + " (the tests use /usr/bin/python3 and /usr/bin/jupyter, not the first python3 on PATH).";
        if (!Files.isExecutable(PYTHON) || !Files.isExecutable(JUPYTER)) {
            fail("Jupyter for the kernel tests is missing: " + PYTHON + " or " + JUPYTER + " does not exist." + install);
        }
        Process probe = new ProcessBuilder(
                        List.of(PYTHON.toString(), "-c", "import jupyter_client, nbclient, nbconvert, nbformat"))
                .redirectErrorStream(true)
                .start();
        String output = new String(probe.getInputStream().readAllBytes());
        if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            fail("Jupyter's Python modules are missing from " + PYTHON + ": " + output.strip() + "." + install);
        }
    }

    /** Returns the kernel's class path for tests: target/classes and target/lib/* of this build. */
    static List<String> buildClassPath() {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        Path libraries = Path.of("target", "lib").toAbsolutePath();
        if (!Files.isDirectory(classes) || !Files.isDirectory(libraries)) {
            fail(classes + " or " + libraries + " is missing; run the tests through Maven, whose"
                    + " process-classes phase copies the runtime jars to target/lib.");
        }
        return List.of(classes.toString(), libraries.resolve("*").toString());
    }
}
