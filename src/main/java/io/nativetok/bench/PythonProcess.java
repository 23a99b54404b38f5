package io.nativetok.bench;

import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds and runs the Python interpreter that has PyTorch, for the reference and the benchmark. */
public final class PythonProcess {

    /** Environment variable naming the Python interpreter; {@value #DEFAULT_PYTHON} when unset. */
    public static final String ENVIRONMENT_VARIABLE = "NATIVETOK_PYTHON";

    /**
     * Debian's interpreter, which {@code apt-get install python3-torch} equips with PyTorch 1.13; the
     * first {@code python3} on PATH may be another build without it.
     */
    public static final String DEFAULT_PYTHON = "/usr/bin/python3";

    private PythonProcess() {}

    /** Returns {@code NATIVETOK_PYTHON} when set, else {@value #DEFAULT_PYTHON}. */
    public static String executable() {
        String value = System.getenv(ENVIRONMENT_VARIABLE);
        return value == null || value.isBlank() ? DEFAULT_PYTHON : value.trim();
    }

    /**
     * Checks that {@code python} can import torch and numpy.
     *
     * @return the PyTorch version
     * @throws NativeTokException saying how to install PyTorch when the import fails
     */
    public static String requireTorch(String python) {
        String advice =
                " Install PyTorch for it with `apt-get install python3-torch python3-numpy` (Debian),"
                        + " or set " + ENVIRONMENT_VARIABLE + " to a Python that has torch and numpy.";
        ProcessBuilder builder =
                new ProcessBuilder(python, "-c", "import numpy, torch; print(torch.__version__)")
                        .redirectErrorStream(true);
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new NativeTokException("Importing torch with " + python + " timed out after 120 s." + advice);
            }
            if (process.exitValue() != 0) {
                throw new NativeTokException(
                        "PyTorch is not available to " + python + ": " + lastLine(output) + "." + advice);
            }
            return lastLine(output);
        } catch (IOException e) {
            throw new NativeTokException("Failed to start " + python + ": " + e.getMessage() + "." + advice, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NativeTokException("Interrupted while checking PyTorch for " + python + ".", e);
        }
    }

    /**
     * Runs {@code python ARGS} in the working directory, with its output saved to {@code
     * folder/python-output.txt}.
     *
     * @return the output (standard output and error together)
     * @throws NativeTokException when it exits with a non-zero status or runs past the timeout,
     *     with the end of its output
     */
    public static String run(Path folder, List<String> arguments, long timeoutSeconds) {
        List<String> command = new ArrayList<>();
        command.add(executable());
        command.addAll(arguments);
        Path log = folder.resolve("python-output.txt");
        try {
            Files.createDirectories(folder);
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new NativeTokException(
                        "Python timed out after " + timeoutSeconds + " s: " + String.join(" ", command)
                                + "\n" + tail(log));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new NativeTokException(
                        "Python failed with exit status " + process.exitValue() + ": "
                                + String.join(" ", command) + "\n" + tail(log));
            }
            return output;
        } catch (IOException e) {
            throw new NativeTokException("Failed to run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NativeTokException("Interrupted while running " + String.join(" ", command) + ".", e);
        }
    }

    private static String tail(Path log) throws IOException {
        String output = Files.readString(log, StandardCharsets.UTF_8);
        return output.length() <= 4000 ? output : "..." + output.substring(output.length() - 4000);
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
