package io.nativetok.cli;

import io.nativetok.kernel.KernelInstaller;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code kernel} command: installs and removes the Jupyter kernel that runs Java notebooks on
 * this kit.
 */
@Command(
        name = "kernel",
        mixinStandardHelpOptions = true,
        description = "Install or remove the Jupyter kernel for Java notebooks on NativeTok.",
        synopsisSubcommandLabel = "(install | uninstall)")
public final class KernelCommand implements Runnable {

    private final KernelInstaller installer;

    @Spec
    private CommandSpec spec;

    /** Creates the command with an installer that looks for {@code jupyter} on PATH. */
    public KernelCommand() {
        this(new KernelInstaller());
    }

    /** Creates the command with the given installer, for example one with another executable search. */
    public KernelCommand(KernelInstaller installer) {
        this.installer = installer;
    }

    /** Prints the usage, since {@code kernel} needs a subcommand. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = {
                "Install the kernelspec with 'jupyter kernelspec install'.",
                "Without --user or --prefix, Jupyter installs for all users, which usually needs root."
            })
    int install(
            @Option(names = "--user", description = "Install into the current user's Jupyter kernel directory.")
                    boolean user,
            @Option(names = "--prefix", paramLabel = "DIR",
                    description = "Install into DIR/share/jupyter/kernels, for example a virtual environment."
                            + " Works without Jupyter's tools; Jupyter then needs JUPYTER_PATH=DIR/share/jupyter.")
                    Path prefix,
            @Option(names = "--name", paramLabel = "NAME", defaultValue = KernelInstaller.DEFAULT_NAME,
                    description = "Kernel name that notebooks store (default: ${DEFAULT-VALUE}).")
                    String name,
            @Option(names = "--display-name", paramLabel = "TEXT", defaultValue = KernelInstaller.DEFAULT_DISPLAY_NAME,
                    description = "Name shown in the notebook's kernel list (default: ${DEFAULT-VALUE}).")
                    String displayName,
            @Option(names = "--max-heap", paramLabel = "SIZE",
                    description = "Maximum Java heap of the kernel, as for java -Xmx, such as 8g"
                            + " (default: half of the machine's memory). Model weights and activations live"
                            + " outside the heap, in PyTorch's native memory.")
                    String maxHeap,
            @Option(names = "--class-path", paramLabel = "PATH",
                    description = "Class path of the kernel, entries separated by ':' (';' on Windows)"
                            + " (default: target/classes and target/lib/* of this build, or the running class path).")
                    String classPath) {
        if (user && prefix != null) {
            throw new ParameterException(spec.commandLine(),
                    "Options --user and --prefix exclude each other: choose where to install, then run again.");
        }
        KernelInstaller.Scope scope = user
                ? KernelInstaller.Scope.USER
                : prefix != null ? KernelInstaller.Scope.PREFIX : KernelInstaller.Scope.SYSTEM;
        List<String> entries = classPath == null ? List.of() : Arrays.asList(classPath.split(File.pathSeparator));

        String output = installer.install(
                new KernelInstaller.Request(name, displayName, scope, prefix, maxHeap, entries));
        spec.commandLine().getOut().print(output);
        spec.commandLine().getOut().println("Kernel '" + displayName + "' (" + name + ") installed. Choose it in"
                + " Jupyter's kernel list, or run: jupyter console --kernel " + name);
        return 0;
    }

    @Command(
            name = "uninstall",
            mixinStandardHelpOptions = true,
            description = "Remove the kernelspec with 'jupyter kernelspec remove'.")
    int uninstall(
            @Option(names = "--name", paramLabel = "NAME", defaultValue = KernelInstaller.DEFAULT_NAME,
                    description = "Kernel name to remove (default: ${DEFAULT-VALUE}).")
                    String name,
            @Option(names = "--prefix", paramLabel = "DIR",
                    description = "Remove the kernel installed with this --prefix.")
                    Path prefix) {
        String output = installer.uninstall(name, prefix);
        spec.commandLine().getOut().print(output);
        return 0;
    }
}
