package io.nativetok.cli;

import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code nativetok} command: train tokenizers, download data, run benchmarks and install the
 * Jupyter kernel.
 *
 * <p>Errors caused by input (bad options, missing data, mismatched checkpoints) and failed file
 * operations print one line starting with {@code error:} and exit with code 1; usage errors exit
 * with code 2. Other exceptions print their stack trace and exit with code 3, because they are
 * bugs.
 */
@Command(
        name = "nativetok",
        mixinStandardHelpOptions = true,
        version = "nativetok 0.1.0",
        description = "NativeTok visual tokenizer: training, generators, data, benchmarks and notebooks.",
        subcommands = {
            TrainCommand.class,
            ReproduceCommand.class,
            DataCommand.class,
            BenchCommand.class,
            KernelCommand.class,
            EvaluateCommand.class,
            TokenizeCommand.class,
            TrainGeneratorCommand.class,
            SampleCommand.class,
            TrainClassifierCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        AtomicBoolean finished = new AtomicBoolean();
        // Runs on Ctrl-C or a kill signal, which otherwise end the JVM without a word.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!finished.get()) {
                System.err.println(System.lineSeparator() + "nativetok: interrupted. Checkpoints written before are"
                        + " complete: run `reproduce` again with the same options, or `train` with --resume, to"
                        + " continue from the newest one.");
            }
        }));
        int exitCode = execute(args);
        finished.set(true);
        System.exit(exitCode);
    }

    /** Runs the command line and returns its exit code; used by tests. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    /** Returns the configured command line. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler(Main::handleExecutionException);
        return commandLine;
    }

    private static int handleExecutionException(
            Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (exception instanceof NativeTokException || exception instanceof IllegalArgumentException) {
            err.println("error: " + exception.getMessage());
            err.flush();
            return 1;
        }
        if (exception instanceof IOException || exception instanceof UncheckedIOException) {
            // Files that cannot be read or written are a matter of the environment, not a bug.
            err.println("error: file operation failed: " + exception.getMessage()
                    + ". Check the path, its permissions and the free disk space.");
            err.flush();
            return 1;
        }
        err.println("error: unexpected failure, please report it with this trace:");
        exception.printStackTrace(err);
        err.flush();
        return 3;
    }
}
