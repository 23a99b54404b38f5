package io.nativetok.cli;

import io.nativetok.data.Cifar10;
import io.nativetok.data.Download;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProgressBar;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code data} command: {@code data download cifar10 [--out DIR] [--url URL] [--md5 HEX]}.
 *
 * <p>A data or download error prints one line to stderr and returns exit code 1, with no stack
 * trace. An unknown data set prints one line and returns 2. Picocli reports other usage errors,
 * such as a missing DATASET, with its message and the usage help.
 */
@Command(
        name = "data",
        description = "Download and prepare data sets.",
        mixinStandardHelpOptions = true,
        subcommands = {DataCommand.DownloadCommand.class})
public final class DataCommand implements Callable<Integer> {

    /** Data sets that {@code data download} supports. */
    public static final List<String> KNOWN_DATASETS = List.of("cifar10");

    @Spec
    private CommandSpec spec;

    /** Prints the usage, because {@code data} needs a subcommand, and returns the usage exit code. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("Missing subcommand: expected `data download <dataset>`, such as `data download cifar10`.");
        spec.commandLine().usage(err);
        return CommandLine.ExitCode.USAGE;
    }

    /** The {@code data download} subcommand. */
    @Command(
            name = "download",
            description = "Download a data set and check it. Known data sets: cifar10.",
            mixinStandardHelpOptions = true)
    static final class DownloadCommand implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DATASET", description = "Data set to download: cifar10.")
        private String dataset;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "datasets/cifar10",
                description = "Folder that receives the files; created when missing (default: ${DEFAULT-VALUE}).")
        private Path out;

        @Option(names = "--url", paramLabel = "URL",
                description = "Archive to download instead of the official one (default: ${DEFAULT-VALUE}).")
        private URI url = Download.CIFAR10_URL;

        @Option(names = "--md5", paramLabel = "HEX",
                description = "Expected MD5 of the archive, 32 hex digits (default: ${DEFAULT-VALUE}).")
        private String md5 = Download.CIFAR10_MD5;

        @Option(names = "--force", description = "Download even when the folder already contains the data.")
        private boolean force;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter outWriter = spec.commandLine().getOut();
            String name = dataset.toLowerCase(Locale.ROOT);
            if (!KNOWN_DATASETS.contains(name)) {
                err.println("error: Unknown data set '" + dataset + "': expected one of " + String.join(", ", KNOWN_DATASETS)
                        + ".");
                return CommandLine.ExitCode.USAGE;
            }

            Path folder = out.toAbsolutePath().normalize();
            if (!force && Cifar10.missingFiles(folder).isEmpty()) {
                outWriter.println("CIFAR-10 is already in " + folder + "; nothing downloaded (pass --force to download"
                        + " again).");
                return CommandLine.ExitCode.OK;
            }

            try (ProgressBar bar = ProgressBar.builder().label("cifar10").unit(ProgressBar.Unit.BYTES).build()) {
                Download.builder().progress(bar).build().downloadCifar10(folder, url, md5);
            } catch (NativeTokException e) {
                err.println("error: " + e.getMessage());
                return CommandLine.ExitCode.SOFTWARE;
            }
            outWriter.println("CIFAR-10 is ready in " + folder + " (" + String.join(", ", Cifar10.DATA_FILES) + ").");
            return CommandLine.ExitCode.OK;
        }
    }
}
