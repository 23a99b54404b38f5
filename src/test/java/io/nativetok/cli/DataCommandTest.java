package io.nativetok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.Cifar10;
import io.nativetok.data.LocalArchiveServer;
import io.nativetok.data.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {

    private static LocalArchiveServer server;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Returns the archive server, started on first use; each test is skipped on its own when CIFAR-10 is missing. */
    private static synchronized LocalArchiveServer server() {
        if (server == null) {
            server = LocalArchiveServer.start(TestData.cifar10());
        }
        return server;
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private int execute(String... args) {
        CommandLine command = new CommandLine(new DataCommand());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void downloadWritesDataIntoOutFolder(@TempDir Path root) {
        Path target = root.resolve("cifar10");

        int exitCode = execute("download", "cifar10", "--out", target.toString(),
                "--url", server().uri("/cifar-10-binary.tar.gz").toString(), "--md5", server().archiveMd5());

        assertEquals(0, exitCode, err.toString());
        assertEquals(List.of(), Cifar10.missingFiles(target));
        assertTrue(out.toString().contains("CIFAR-10 is ready in " + target), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void existingDataIsNotDownloadedAgain(@TempDir Path root) throws Exception {
        Path target = Files.createDirectories(root.resolve("cifar10"));
        for (String name : Cifar10.DATA_FILES) {
            Files.write(target.resolve(name), new byte[Cifar10.RECORD_BYTES]);
        }

        int exitCode = execute("download", "cifar10", "--out", target.toString(),
                "--url", server().uri("/no-such-archive").toString());

        assertEquals(0, exitCode, err.toString());
        assertTrue(out.toString().contains("already in " + target), out.toString());
    }

    @Test
    void unknownDatasetListsKnownOnes() {
        int exitCode = execute("download", "mnist");

        assertEquals(CommandLine.ExitCode.USAGE, exitCode);
        assertEquals("error: Unknown data set 'mnist': expected one of cifar10." + System.lineSeparator(), err.toString());
    }

    @Test
    void failedDownloadPrintsOneLine(@TempDir Path root) {
        String url = server().uri("/no-such-archive").toString();

        int exitCode = execute("download", "cifar10", "--out", root.resolve("cifar10").toString(), "--url", url);

        assertEquals(1, exitCode);
        String[] lines = err.toString().split(System.lineSeparator());
        assertEquals(1, lines.length, err.toString());
        assertTrue(lines[0].startsWith("error: Download of " + url + " failed: HTTP status 404"), lines[0]);
        assertFalse(err.toString().contains("\tat "), "no stack trace");
    }

    @Test
    void wrongMd5PrintsBothHashes(@TempDir Path root) {
        String wrong = "ffffffffffffffffffffffffffffffff";

        int exitCode = execute("download", "cifar10", "--out", root.resolve("cifar10").toString(),
                "--url", server().uri("/cifar-10-binary.tar.gz").toString(), "--md5", wrong);

        assertEquals(1, exitCode);
        assertTrue(err.toString().contains("expected " + wrong + ", got " + server().archiveMd5()), err.toString());
    }

    @Test
    void dataWithoutSubcommandPrintsUsage() {
        int exitCode = execute();

        assertEquals(CommandLine.ExitCode.USAGE, exitCode);
        assertTrue(err.toString().startsWith("Missing subcommand"), err.toString());
        assertTrue(err.toString().contains("download"), err.toString());
    }

    @Test
    void helpNamesDefaults() {
        int exitCode = execute("download", "--help");

        assertEquals(0, exitCode);
        assertTrue(out.toString().contains("default: datasets/cifar10"), out.toString());
        assertTrue(out.toString().contains("c32a1d4ab5d03f1284b67883e8d87530"), out.toString());
        assertTrue(out.toString().contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), out.toString());
    }
}
