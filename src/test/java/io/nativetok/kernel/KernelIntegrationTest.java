package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the kernel under Jupyter: src/test/python/kernel_checks.py starts it through
 * jupyter_client from a kernelspec in a temporary JUPYTER_PATH, checks values, rendering, errors,
 * completion, interrupts, output capping and out-of-memory recovery on one kernel, then executes
 * a small notebook with nbconvert. Takes about 20 s on 2 cores.
 */
class KernelIntegrationTest {

    private static final String KERNEL_NAME = "nativetok-test";

    /** Upper bound for the whole script, which needs about 20 s on 2 cores. */
    private static final long SCRIPT_TIMEOUT_SECONDS = 240;

    @Test
    void kernelPassesJupyterChecks(@TempDir Path jupyterDirectory) throws Exception {
        JupyterTools.requireInstalled();

        // A small heap makes the out-of-memory check fast.
        KernelSpec spec = KernelInstaller.kernelSpec("Java (NativeTok test)", "384m", JupyterTools.buildClassPath());
        KernelInstaller.writeKernelSpec(jupyterDirectory.resolve("kernels"), KERNEL_NAME, spec);
        Path workDirectory = Files.createDirectories(jupyterDirectory.resolve("work"));
        Path outputFile = jupyterDirectory.resolve("checks.log");

        ProcessBuilder builder = new ProcessBuilder(
                        JupyterTools.PYTHON.toString(),
                        "-Xfrozen_modules=off",
                        Path.of("src/test/python/kernel_checks.py").toAbsolutePath().toString(),
                        "--kernel-name", KERNEL_NAME,
                        "--notebook", Path.of("src/test/resources/kernel/kernel-smoke.ipynb").toAbsolutePath().toString(),
                        "--work-dir", workDirectory.toString(),
                        "--jupyter", JupyterTools.JUPYTER.toString())
                .redirectErrorStream(true)
                .redirectOutput(outputFile.toFile());
        builder.environment().putAll(Map.of(
                "JUPYTER_PATH", jupyterDirectory.toString(),
                "JUPYTER_RUNTIME_DIR", jupyterDirectory.resolve("runtime").toString(),
                "JUPYTER_DATA_DIR", jupyterDirectory.resolve("data").toString(),
                "JUPYTER_CONFIG_DIR", jupyterDirectory.resolve("config").toString(),
                "PYDEVD_DISABLE_FILE_VALIDATION", "1"));

        Process process = builder.start();
        boolean finished = process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            destroyWithDescendants(process);
            fail("kernel_checks.py did not finish within " + SCRIPT_TIMEOUT_SECONDS + " s:\n" + read(outputFile));
        }
        String output = read(outputFile);
        assertEquals(0, process.exitValue(), () -> "Kernel checks failed:\n" + output);
    }

    private static void destroyWithDescendants(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
