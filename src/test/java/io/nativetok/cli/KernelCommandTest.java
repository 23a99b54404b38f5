package io.nativetok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nativetok.kernel.ExecutableFinder;
import io.nativetok.kernel.KernelInstaller;
import io.nativetok.kernel.NativeTokKernel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KernelCommandTest {

    private static final Path JUPYTER = Path.of("/usr/bin/jupyter");

    /** Output, error output and exit code of one command line. */
    private record Result(int exitCode, String out, String err) {}

    private static Result execute(KernelCommand command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                // Stands in for the root command, which prints a failure's message.
                .setExecutionExceptionHandler((exception, line, parseResult) -> {
                    line.getErr().println(exception.getMessage());
                    return 1;
                });
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    private static KernelCommand withoutJupyter(Path emptyDirectory) {
        return new KernelCommand(new KernelInstaller(new ExecutableFinder(List.of(emptyDirectory))));
    }

    /** Runs {@code jupyter kernelspec list --json} with {@code jupyterPath} and returns the kernel names. */
    private static List<String> listedKernels(Path jupyterPath) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(JUPYTER.toString(), "kernelspec", "list", "--json");
        builder.environment().put("JUPYTER_PATH", jupyterPath.toString());
        builder.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        Process process = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String json = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "jupyter kernelspec list timed out");
        assertEquals(0, process.exitValue(), () -> "jupyter kernelspec list failed: " + json);
        JsonObject kernelspecs = JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("kernelspecs");
        return new ArrayList<>(kernelspecs.keySet());
    }

    private static void requireJupyter() {
        if (!Files.isExecutable(JUPYTER)) {
            fail(JUPYTER + " is missing. Install it with: sudo apt-get install -y jupyter-client");
        }
    }

    @Test
    void installPrefixListedByJupyter(@TempDir Path prefix) throws Exception {
        requireJupyter();

        Result install = execute(new KernelCommand(),
                "install", "--prefix", prefix.toString(), "--name", "nativetok-command-test", "--max-heap", "512m");

        assertEquals(0, install.exitCode(), () -> "install failed: " + install.err());
        assertTrue(install.out().contains("jupyter console --kernel nativetok-command-test"), install.out());
        Path jupyterPath = prefix.resolve("share/jupyter");
        assertTrue(listedKernels(jupyterPath).contains("nativetok-command-test"), "kernel not listed by Jupyter");

        Result uninstall = execute(new KernelCommand(),
                "uninstall", "--prefix", prefix.toString(), "--name", "nativetok-command-test");

        assertEquals(0, uninstall.exitCode(), () -> "uninstall failed: " + uninstall.err());
        assertFalse(listedKernels(jupyterPath).contains("nativetok-command-test"), "kernel still listed after uninstall");
    }

    @Test
    void installWritesKernelJson(@TempDir Path prefix, @TempDir Path emptyPath) throws Exception {
        Result install = execute(withoutJupyter(emptyPath),
                "install", "--prefix", prefix.toString(), "--display-name", "Java (test)", "--max-heap", "2g");

        assertEquals(0, install.exitCode(), () -> "install failed: " + install.err());
        Path kernelJson = prefix.resolve("share/jupyter/kernels/nativetok/kernel.json");
        JsonObject spec = JsonParser.parseString(Files.readString(kernelJson)).getAsJsonObject();
        JsonArray argv = spec.getAsJsonArray("argv");
        List<String> args = new ArrayList<>();
        argv.forEach(element -> args.add(element.getAsString()));

        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), args.get(0));
        assertTrue(args.contains("-Djava.awt.headless=true"), args.toString());
        assertTrue(args.contains("-Xmx2g"), args.toString());
        String classPath = args.get(args.indexOf("-cp") + 1);
        String expectedClasses = Path.of("target/classes").toAbsolutePath().toString();
        String expectedLibraries = Path.of("target/lib/*").toAbsolutePath().toString();
        assertEquals(expectedClasses + ":" + expectedLibraries, classPath);
        assertEquals(NativeTokKernel.class.getName(), args.get(args.size() - 2));
        assertEquals("{connection_file}", args.get(args.size() - 1));
        assertEquals("Java (test)", spec.get("display_name").getAsString());
        assertEquals("java", spec.get("language").getAsString());
        assertEquals("message", spec.get("interrupt_mode").getAsString());
        assertTrue(install.out().contains("JUPYTER_PATH=" + prefix.resolve("share/jupyter")), install.out());
    }

    @Test
    void installDefaultHeapIsHalfOfMemory(@TempDir Path prefix, @TempDir Path emptyPath) throws Exception {
        Result install = execute(withoutJupyter(emptyPath), "install", "--prefix", prefix.toString());

        assertEquals(0, install.exitCode(), () -> "install failed: " + install.err());
        String json = Files.readString(prefix.resolve("share/jupyter/kernels/nativetok/kernel.json"));
        assertTrue(json.contains("\"-XX:MaxRAMPercentage=50\""), json);
    }

    @Test
    void installWithoutJupyterExplainsFix(@TempDir Path emptyPath) {
        Result install = execute(withoutJupyter(emptyPath), "install", "--user");

        assertEquals(1, install.exitCode());
        String message = install.err();
        assertTrue(message.contains("Jupyter not found"), message);
        assertTrue(message.contains(emptyPath.toString()), message);
        assertTrue(message.contains("apt-get install jupyter-client"), message);
        assertTrue(message.contains("pip install jupyter_client"), message);
        assertTrue(message.contains("--prefix DIR"), message);
        assertTrue(message.contains("JUPYTER_PATH"), message);
    }

    @Test
    void uninstallWithoutJupyterExplainsFix(@TempDir Path emptyPath) {
        Result uninstall = execute(withoutJupyter(emptyPath), "uninstall");

        assertEquals(1, uninstall.exitCode());
        assertTrue(uninstall.err().contains("apt-get install jupyter-client"), uninstall.err());
    }

    @Test
    void uninstallPrefixWithoutJupyter(@TempDir Path prefix, @TempDir Path emptyPath) {
        execute(withoutJupyter(emptyPath), "install", "--prefix", prefix.toString(), "--name", "to-remove");
        Path kernelDirectory = prefix.resolve("share/jupyter/kernels/to-remove");
        assertTrue(Files.isDirectory(kernelDirectory));

        Result uninstall = execute(withoutJupyter(emptyPath), "uninstall", "--prefix", prefix.toString(), "--name", "to-remove");

        assertEquals(0, uninstall.exitCode(), () -> "uninstall failed: " + uninstall.err());
        assertFalse(Files.exists(kernelDirectory));
        Result again = execute(withoutJupyter(emptyPath), "uninstall", "--prefix", prefix.toString(), "--name", "to-remove");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("Kernelspec 'to-remove' not found"), again.err());
    }

    @Test
    void installRejectsUserWithPrefix(@TempDir Path prefix) {
        Result install = execute(new KernelCommand(), "install", "--user", "--prefix", prefix.toString());

        assertEquals(2, install.exitCode());
        assertTrue(install.err().contains("--user and --prefix exclude each other"), install.err());
    }

    @Test
    void installRejectsInvalidName(@TempDir Path prefix, @TempDir Path emptyPath) {
        Result install = execute(withoutJupyter(emptyPath), "install", "--prefix", prefix.toString(), "--name", "my kernel");

        assertEquals(1, install.exitCode());
        assertTrue(install.err().contains("Invalid kernel name 'my kernel'"), install.err());
        assertFalse(Files.exists(prefix.resolve("share")));
    }

    @Test
    void installRejectsInvalidHeap(@TempDir Path prefix, @TempDir Path emptyPath) {
        Result install = execute(withoutJupyter(emptyPath), "install", "--prefix", prefix.toString(), "--max-heap", "lots");

        assertEquals(1, install.exitCode());
        assertTrue(install.err().contains("Invalid maximum heap 'lots'"), install.err());
        assertTrue(install.err().contains("8g"), install.err());
    }

    @Test
    void kernelWithoutSubcommandPrintsUsage() {
        Result result = execute(new KernelCommand());

        assertEquals(0, result.exitCode());
        assertTrue(result.out().contains("install"), result.out());
        assertTrue(result.out().contains("uninstall"), result.out());
    }
}
