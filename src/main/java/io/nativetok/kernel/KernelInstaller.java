package io.nativetok.kernel;

import io.nativetok.util.NativeTokException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Installs and removes the kernelspec that lets Jupyter start {@link NativeTokKernel}.
 *
 * <p>The spec runs the Java executable of the running JVM with the class path of this kit, so
 * the kernel loads the same classes as the command that installed it. Installation writes the spec
 * into a temporary directory and runs {@code jupyter kernelspec install}, which resolves the kernel directories of the
 * local Jupyter. With {@code --prefix} and no Jupyter on this machine, the spec
 * is written straight to {@code PREFIX/share/jupyter/kernels/NAME}, the layout Jupyter reads.
 */
public final class KernelInstaller {

    /** Kernel name used when none is given. Notebooks refer to the kernel by this name. */
    public static final String DEFAULT_NAME = "nativetok";

    /** Name that notebook front ends show when none is given. */
    public static final String DEFAULT_DISPLAY_NAME = "Java (NativeTok)";

    /** Heap setting used when no maximum heap is given: half of the machine's memory. */
    static final String DEFAULT_HEAP_OPTION = "-XX:MaxRAMPercentage=50";

    /** Jupyter accepts kernel names of ASCII letters, digits, '.', '_' and '-'. */
    private static final Pattern KERNEL_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private static final Pattern HEAP_SIZE = Pattern.compile("[1-9][0-9]*[kKmMgGtT]?");

    private static final long JUPYTER_TIMEOUT_SECONDS = 120;

    private final ExecutableFinder finder;

    /** Creates an installer that looks for {@code jupyter} on PATH, then in /usr/bin and /usr/local/bin. */
    public KernelInstaller() {
        this(ExecutableFinder.fromEnvironment());
    }

    /** Creates an installer that looks for {@code jupyter} with {@code finder}. */
    public KernelInstaller(ExecutableFinder finder) {
        this.finder = finder;
    }

    /** Target directory of {@code jupyter kernelspec install}. */
    public enum Scope {
        /** Jupyter's system-wide kernel directory, usually writable only by root. */
        SYSTEM,
        /** The current user's kernel directory. */
        USER,
        /** {@code PREFIX/share/jupyter/kernels}, for example inside a virtual environment. */
        PREFIX
    }

    /**
     * Installation request.
     *
     * @param name kernel name, letters, digits, '.', '_' and '-'
     * @param displayName name shown by notebook front ends
     * @param scope where to install
     * @param prefix the prefix directory when {@code scope} is {@code PREFIX}, else null
     * @param maxHeap maximum Java heap such as "8g", or null for half of the machine's memory
     * @param classPath class path entries of the kernel, or empty for {@link #defaultClassPath()}
     */
    public record Request(String name, String displayName, Scope scope, Path prefix, String maxHeap, List<String> classPath) {

        public Request {
            classPath = List.copyOf(classPath);
        }
    }

    /**
     * Returns the kernelspec that starts the kernel with this JVM's Java executable.
     *
     * @param maxHeap maximum heap such as "8g" or "512m", or null for half of the machine's memory
     * @param classPath class path entries, absolute, as the kernel's JVM should see them
     */
    public static KernelSpec kernelSpec(String displayName, String maxHeap, List<String> classPath) {
        if (ModuleLayer.boot().findModule("jdk.jshell").isEmpty()) {
            throw new NativeTokException("The running Java (" + System.getProperty("java.home") + ") lacks the"
                    + " jdk.jshell module that the kernel evaluates cells with, as a JRE or a jlink image does."
                    + " Run this command with a full JDK 17.");
        }
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.add("-Djava.awt.headless=true");
        argv.add(heapOption(maxHeap));
        argv.add("-cp");
        argv.add(String.join(File.pathSeparator, classPath));
        argv.add(NativeTokKernel.class.getName());
        argv.add("{connection_file}");
        return new KernelSpec(argv, displayName, "java", "message");
    }

    /** Writes {@code spec} to {@code kernelsDirectory/name/kernel.json} and returns that file. */
    public static Path writeKernelSpec(Path kernelsDirectory, String name, KernelSpec spec) {
        validateName(name);
        Path file = kernelsDirectory.resolve(name).resolve("kernel.json");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, spec.toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeTokException("Writing the kernelspec " + file + " failed: " + e.getMessage()
                    + ". Check that the directory is writable, or choose another with --prefix.", e);
        }
        return file;
    }

    /**
     * Installs the kernelspec and returns what Jupyter printed, or where the spec was written.
     *
     * @throws NativeTokException when Jupyter is missing (and no prefix is given), fails or the
     *     request is invalid
     */
    public String install(Request request) {
        validateName(request.name());
        List<String> classPath = request.classPath().isEmpty() ? defaultClassPath() : request.classPath();
        KernelSpec spec = kernelSpec(request.displayName(), request.maxHeap(), classPath);

        Optional<Path> jupyter = finder.find("jupyter");
        if (jupyter.isEmpty() && request.scope() == Scope.PREFIX) {
            Path file = writeKernelSpec(kernelsDirectory(request.prefix()), request.name(), spec);
            return "Jupyter was not found, so the kernelspec was written directly to " + file + ".\n"
                    + "Let Jupyter find it with: export JUPYTER_PATH=" + request.prefix().resolve("share/jupyter") + "\n";
        }
        Path executable = jupyter.orElseThrow(() -> jupyterMissing("install the kernel"));

        Path temporary = createTemporaryDirectory();
        try {
            Path specDirectory = writeKernelSpec(temporary, request.name(), spec).getParent();
            List<String> command = new ArrayList<>(List.of(
                    executable.toString(), "kernelspec", "install", "--replace", "--name", request.name()));
            if (request.scope() == Scope.USER) {
                command.add("--user");
            } else if (request.scope() == Scope.PREFIX) {
                command.add("--prefix");
                command.add(request.prefix().toAbsolutePath().toString());
            }
            command.add(specDirectory.toString());
            return run(command, Map.of());
        } finally {
            deleteQuietly(temporary);
        }
    }

    /**
     * Removes the kernelspec {@code name}, from {@code prefix} when one is given.
     *
     * @return what Jupyter printed, or which directory was deleted
     */
    public String uninstall(String name, Path prefix) {
        validateName(name);
        Optional<Path> jupyter = finder.find("jupyter");
        if (jupyter.isEmpty() && prefix != null) {
            Path directory = kernelsDirectory(prefix).resolve(name);
            if (!Files.isDirectory(directory)) {
                throw new NativeTokException("Kernelspec '" + name + "' not found: " + directory
                        + " does not exist. Check --name and --prefix against the install command.");
            }
            deleteRecursively(directory);
            return "Jupyter was not found, so the kernelspec directory " + directory + " was deleted.\n";
        }
        Path executable = jupyter.orElseThrow(() -> jupyterMissing("remove the kernel"));
        Map<String, String> environment = prefix == null
                ? Map.of()
                : Map.of("JUPYTER_PATH", prefix.toAbsolutePath().resolve("share/jupyter").toString());
        return run(List.of(executable.toString(), "kernelspec", "remove", "-f", name), environment);
    }

    /**
     * Returns the class path for the kernel: {@code target/classes} and {@code target/lib/*} when
     * this kit runs from a Maven build directory, else the running JVM's class path made absolute.
     *
     * @throws NativeTokException when neither contains the kernel class
     */
    public static List<String> defaultClassPath() {
        Path codeSource = codeSource();
        Path libraries = codeSource.getParent() == null ? null : codeSource.getParent().resolve("lib");
        if (Files.isDirectory(codeSource) && libraries != null && Files.isDirectory(libraries)) {
            return List.of(codeSource.toString(), libraries.resolve("*").toString());
        }

        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
            }
        }
        if (!entries.contains(codeSource.toString())) {
            throw new NativeTokException("The running class path does not contain " + codeSource
                    + ", where the kernel classes were loaded from, so a kernelspec built from it could"
                    + " not start the kernel. Pass the class path explicitly with --class-path.");
        }
        return entries;
    }

    static Path kernelsDirectory(Path prefix) {
        return prefix.toAbsolutePath().resolve("share").resolve("jupyter").resolve("kernels");
    }

    private static String heapOption(String maxHeap) {
        if (maxHeap == null || maxHeap.isBlank()) {
            return DEFAULT_HEAP_OPTION;
        }
        if (!HEAP_SIZE.matcher(maxHeap).matches()) {
            throw new NativeTokException("Invalid maximum heap '" + maxHeap + "': expected a size as the"
                    + " java -Xmx option takes it, such as 8g, 512m or 2048m.");
        }
        return "-Xmx" + maxHeap;
    }

    private static void validateName(String name) {
        if (name == null || !KERNEL_NAME.matcher(name).matches()) {
            throw new NativeTokException("Invalid kernel name '" + name + "': Jupyter accepts only ASCII"
                    + " letters, digits, '.', '_' and '-'. Choose another with --name, such as 'nativetok'.");
        }
    }

    private NativeTokException jupyterMissing(String action) {
        return new NativeTokException("Jupyter not found: no executable 'jupyter' in " + finder.directories()
                + ", so this command cannot " + action + ". Install Jupyter's kernelspec tool, for example"
                + " 'sudo apt-get install jupyter-client' (with jupyter-notebook or jupyter-nbconvert to run"
                + " notebooks) on Debian or Ubuntu, or 'pip install jupyter_client' (or 'pip install"
                + " notebook'), then run it again. Without Jupyter's tools, use --prefix DIR instead: the"
                + " kernelspec goes to DIR/share/jupyter/kernels, and Jupyter finds it when JUPYTER_PATH"
                + " includes DIR/share/jupyter.");
    }

    private static String run(List<String> command, Map<String, String> environment) {
        String commandLine = String.join(" ", command);
        Path outputFile = createTemporaryFile();
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(outputFile.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(JUPYTER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new NativeTokException("'" + commandLine + "' did not finish within "
                        + JUPYTER_TIMEOUT_SECONDS + " s and was killed. Run it by hand to see where it hangs.");
            }
            String output = Files.readString(outputFile, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new NativeTokException("'" + commandLine + "' failed with exit code " + process.exitValue()
                        + ":\n" + output.strip() + "\nIf the kernelspec command is missing, install jupyter-client"
                        + " ('sudo apt-get install jupyter-client' or 'pip install jupyter_client').");
            }
            return output;
        } catch (IOException e) {
            throw new NativeTokException("Running '" + commandLine + "' failed: " + e.getMessage()
                    + ". Check that the jupyter executable can run.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NativeTokException("Interrupted while waiting for '" + commandLine + "'.", e);
        } finally {
            deleteQuietly(outputFile);
        }
    }

    private static Path codeSource() {
        try {
            return Path.of(NativeTokKernel.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath()
                    .normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("The kernel's code source is not a valid URI: " + e.getInput(), e);
        }
    }

    private static Path createTemporaryDirectory() {
        try {
            return Files.createTempDirectory("nativetok-kernelspec");
        } catch (IOException e) {
            throw new NativeTokException("Creating a temporary directory for the kernelspec failed: "
                    + e.getMessage() + ". Check java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ").", e);
        }
    }

    private static Path createTemporaryFile() {
        try {
            return Files.createTempFile("nativetok-jupyter", ".log");
        } catch (IOException e) {
            throw new NativeTokException("Creating a temporary file for Jupyter's output failed: "
                    + e.getMessage() + ". Check java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ").", e);
        }
    }

    /** Deletes a temporary file or directory, logging instead of failing, since the work is done. */
    private static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (UncheckedIOException e) {
            LoggerFactory.getLogger(KernelInstaller.class).warn("Could not delete temporary {}", path, e);
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Deleting " + directory + " failed", e);
        }
    }
}
