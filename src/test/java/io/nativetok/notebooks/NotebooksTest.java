package io.nativetok.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.nativetok.data.TestData;
import io.nativetok.kernel.ExecutableFinder;
import io.nativetok.kernel.KernelInstaller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks and executes every notebook in {@code notebooks/}, so that notebooks added later are
 * covered without changing this class.
 *
 * <p>The format checks need nothing but the files: outputs stripped, no execution counts, the
 * project's kernel, a first markdown cell that states the run time and the result to expect, and
 * imports in the first code cell. The execution installs the kernel with {@link KernelInstaller}
 * into a temporary prefix, exactly as {@code nativetok kernel install --prefix DIR} does, and runs
 * each notebook with Debian's {@code jupyter nbconvert --execute} at {@code NATIVETOK_PRESET=TINY}.
 * The five notebooks of the first version took 3.0 minutes on 2 CPU cores, and 5.3 minutes while
 * another training job shared the cores. The notebooks read CIFAR-10 from {@code
 * NATIVETOK_DATA} or {@code datasets/cifar10}; without it the executions are skipped, or fail
 * with {@code NATIVETOK_REQUIRE_DATA=1}.
 */
class NotebooksTest {

    private static final Path NOTEBOOKS = Path.of("notebooks");
    private static final Path JUPYTER = Path.of("/usr/bin/jupyter");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String APT_PACKAGES = "jupyter-client jupyter-nbconvert python3-nbclient python3-ipykernel";

    /** Per-cell limit passed to nbconvert. */
    private static final int CELL_TIMEOUT_SECONDS = 600;

    /** Limit for one whole notebook, including the kernel's start. */
    private static final long NOTEBOOK_TIMEOUT_SECONDS = 900;

    /** Characters of nbconvert's output kept in a failure message. */
    private static final int MESSAGE_CHARACTERS = 12_000;

    @TempDir
    static Path jupyterPrefix;

    @BeforeAll
    static void requireNotebooks() throws IOException {
        assertFalse(notebooks().isEmpty(), "No *.ipynb files in " + NOTEBOOKS.toAbsolutePath()
                + "; run the tests from the repository root, as Maven does.");
    }

    @TestFactory
    Stream<DynamicTest> notebooksAreStripped() throws IOException {
        return notebooks().stream().map(notebook -> DynamicTest.dynamicTest(
                notebook.getFileName().toString(), () -> checkFormat(notebook)));
    }

    @TestFactory
    Stream<DynamicTest> notebooksRunAtTiny() throws IOException {
        return notebooks().stream().map(notebook -> DynamicTest.dynamicTest(
                notebook.getFileName().toString(), () -> execute(notebook)));
    }

    private static List<Path> notebooks() throws IOException {
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    private static void checkFormat(Path notebook) throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(notebook, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject kernelspec = json.getAsJsonObject("metadata").getAsJsonObject("kernelspec");
        assertEquals(KernelInstaller.DEFAULT_NAME, kernelspec.get("name").getAsString(), "kernelspec name");
        assertEquals(KernelInstaller.DEFAULT_DISPLAY_NAME, kernelspec.get("display_name").getAsString(),
                "kernelspec display name");

        JsonArray cells = json.getAsJsonArray("cells");
        JsonObject first = cells.get(0).getAsJsonObject();
        assertEquals("markdown", first.get("cell_type").getAsString(), "the first cell should be markdown");
        String introduction = source(first);
        assertTrue(introduction.contains("Run time"), "the first cell should state the run time:\n" + introduction);
        assertTrue(introduction.contains("Result to expect"),
                "the first cell should state the result to expect:\n" + introduction);

        boolean firstCode = true;
        for (int index = 0; index < cells.size(); index++) {
            JsonObject cell = cells.get(index).getAsJsonObject();
            if (!cell.get("cell_type").getAsString().equals("code")) {
                continue;
            }
            String label = "cell " + index + " (" + firstLine(source(cell)) + ")";
            assertEquals(0, cell.getAsJsonArray("outputs").size(), label + " has outputs; strip them with"
                    + " jupyter nbconvert --clear-output --inplace " + notebook);
            assertTrue(cell.get("execution_count").isJsonNull(), label + " has an execution count; strip it with"
                    + " jupyter nbconvert --clear-output --inplace " + notebook);
            if (firstCode) {
                for (String line : source(cell).split("\n")) {
                    assertTrue(line.isBlank() || line.startsWith("import "),
                            "the first code cell should contain only imports, but has: " + line);
                }
                firstCode = false;
            }
        }
    }

    private static String source(JsonObject cell) {
        JsonElement source = cell.get("source");
        if (source.isJsonArray()) {
            StringBuilder text = new StringBuilder();
            source.getAsJsonArray().forEach(line -> text.append(line.getAsString()));
            return text.toString();
        }
        return source.getAsString();
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    private static void execute(Path notebook) throws Exception {
        TestData.cifar10();
        Path kernels = installKernel();
        Path outputDirectory = Files.createDirectories(jupyterPrefix.resolve("executed"));
        Path log = jupyterPrefix.resolve(notebook.getFileName() + ".log");

        ProcessBuilder builder = new ProcessBuilder(
                        JUPYTER.toString(), "nbconvert", "--to", "notebook", "--execute",
                        "--output-dir", outputDirectory.toString(),
                        "--ExecutePreprocessor.timeout=" + CELL_TIMEOUT_SECONDS,
                        notebook.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "NATIVETOK_PRESET", "TINY",
                "NATIVETOK_RUNS", jupyterPrefix.resolve("runs").toString(),
                "JUPYTER_PATH", kernels.toString(),
                "JUPYTER_RUNTIME_DIR", jupyterPrefix.resolve("runtime").toString(),
                "JUPYTER_DATA_DIR", jupyterPrefix.resolve("data").toString(),
                "JUPYTER_CONFIG_DIR", jupyterPrefix.resolve("config").toString(),
                "PYDEVD_DISABLE_FILE_VALIDATION", "1"));

        Process process = builder.start();
        if (!process.waitFor(NOTEBOOK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(notebook + " did not finish within " + NOTEBOOK_TIMEOUT_SECONDS + " s:\n" + failureText(log));
        }
        assertEquals(0, process.exitValue(), () -> notebook + " failed:\n" + failureText(log));
    }

    /**
     * Installs the kernelspec once per test run and returns the directory for {@code JUPYTER_PATH}.
     * Debian's Jupyter is required, not skipped for, so that CI cannot pass without running the
     * notebooks.
     */
    private static synchronized Path installKernel() throws IOException, InterruptedException {
        Path kernels = jupyterPrefix.resolve("share").resolve("jupyter");
        if (Files.isDirectory(kernels.resolve("kernels").resolve(KernelInstaller.DEFAULT_NAME))) {
            return kernels;
        }
        requireJupyter();
        KernelInstaller installer = new KernelInstaller(new ExecutableFinder(List.of(JUPYTER.getParent())));
        installer.install(new KernelInstaller.Request(KernelInstaller.DEFAULT_NAME,
                KernelInstaller.DEFAULT_DISPLAY_NAME, KernelInstaller.Scope.PREFIX, jupyterPrefix, null, List.of()));
        return kernels;
    }

    private static void requireJupyter() throws IOException, InterruptedException {
        String install = " Install them with: sudo apt-get install -y " + APT_PACKAGES
                + " (the test uses /usr/bin/python3 and /usr/bin/jupyter, not the first python3 on PATH).";
        if (!Files.isExecutable(PYTHON) || !Files.isExecutable(JUPYTER)) {
            fail("Jupyter for the notebook tests is missing: " + PYTHON + " or " + JUPYTER + " does not exist." + install);
        }
        Process probe = new ProcessBuilder(List.of(PYTHON.toString(), "-c", "import nbclient, nbconvert, nbformat"))
                .redirectErrorStream(true)
                .start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
            fail("Jupyter's Python modules are missing from " + PYTHON + ": " + output.strip() + "." + install);
        }
    }

    /**
     * Returns the part of nbconvert's output that describes the failing cell, without terminal
     * colour codes: from "An error occurred while executing the following cell", after which
     * nbclient prints the cell's source and its error output, or else the end of the output.
     */
    private static String failureText(Path log) {
        String output;
        try {
            output = Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(nbconvert's output " + log + " could not be read: " + e + ")";
        }
        output = output.replaceAll("\u001B\\[[0-9;]*m", "");
        int cellError = output.indexOf("An error occurred while executing the following cell");
        if (cellError >= 0) {
            String failure = output.substring(cellError);
            return failure.length() <= MESSAGE_CHARACTERS
                    ? failure
                    : failure.substring(0, MESSAGE_CHARACTERS) + "\n[... " + (failure.length() - MESSAGE_CHARACTERS)
                            + " more characters in " + log + "]";
        }
        return output.length() <= MESSAGE_CHARACTERS
                ? output
                : "[... " + (output.length() - MESSAGE_CHARACTERS) + " characters before this in " + log + "]\n"
                        + output.substring(output.length() - MESSAGE_CHARACTERS);
    }
}
