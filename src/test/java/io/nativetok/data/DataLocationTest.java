package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocationTest {

    private static LocalArchiveServer server;

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

    /** Creates a folder with the six record files (one empty record each), which is enough to be found. */
    private static Path folderWithData(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (String name : Cifar10.DATA_FILES) {
            Files.write(folder.resolve(name), new byte[Cifar10.RECORD_BYTES]);
        }
        return folder;
    }

    private static DataLocation.Builder location(Path workingDirectory, Map<String, String> environment) {
        return DataLocation.builder()
                .workingDirectory(workingDirectory)
                .environment(environment::get)
                .downloadUrl(server().uri("/no-download-expected"));
    }

    @Test
    void flagWinsOverEnvironmentAndDefault(@TempDir Path root) throws IOException {
        Path flag = folderWithData(root.resolve("flag"));
        Path fromEnvironment = folderWithData(root.resolve("env"));
        folderWithData(root.resolve("datasets").resolve("cifar10"));
        DataLocation location = location(root, Map.of("NATIVETOK_DATA", fromEnvironment.toString())).build();

        assertEquals(flag, location.locateCifar10(Path.of("flag"), true, null));
        assertEquals(fromEnvironment, location.locateCifar10(null, true, null));
    }

    @Test
    void defaultFolderIsUnderWorkingDirectory(@TempDir Path root) throws IOException {
        Path expected = folderWithData(root.resolve("datasets").resolve("cifar10"));
        DataLocation location = location(root, Map.of()).build();

        assertEquals(expected, location.locateCifar10(null, true, null));
        assertEquals(List.of(new DataLocation.Candidate("default folder", expected)), location.candidates(null));
    }

    @Test
    void incompleteEnvironmentFolderIsPassedOver(@TempDir Path root) throws IOException {
        Path incomplete = folderWithData(root.resolve("env"));
        Files.delete(incomplete.resolve("test_batch.bin"));
        Path defaultFolder = folderWithData(root.resolve("datasets").resolve("cifar10"));
        DataLocation location = location(root, Map.of("NATIVETOK_DATA", incomplete.toString())).build();

        assertEquals(defaultFolder, location.locateCifar10(null, true, null));
    }

    @Test
    void explicitFlagIsNeverReplaced(@TempDir Path root) throws IOException {
        Path incomplete = folderWithData(root.resolve("flag"));
        Files.delete(incomplete.resolve("test_batch.bin"));
        Path fromEnvironment = folderWithData(root.resolve("env"));
        DataLocation location = location(root, Map.of("NATIVETOK_DATA", fromEnvironment.toString())).build();

        DataException error =
                assertThrows(DataException.class, () -> location.locateCifar10(incomplete, true, null));
        assertTrue(error.getMessage().contains("--data " + incomplete + ": missing test_batch.bin"), error.getMessage());
        assertTrue(!error.getMessage().contains(fromEnvironment.toString()), error.getMessage());
    }

    @Test
    void offlineFailureListsEveryPlace(@TempDir Path root) throws IOException {
        Path fromEnvironment = Files.createDirectories(root.resolve("env"));
        Files.write(fromEnvironment.resolve("data_batch_1.bin"), new byte[0]);
        DataLocation location = location(root, Map.of("NATIVETOK_DATA", fromEnvironment.toString())).build();

        DataException error = assertThrows(DataException.class, () -> location.locateCifar10(null, true, null));

        String message = error.getMessage();
        assertTrue(message.startsWith("CIFAR-10 not found. Looked in:"), message);
        assertTrue(message.contains("NATIVETOK_DATA " + fromEnvironment + ": missing data_batch_2.bin,"
                + " data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin"), message);
        assertTrue(message.contains("default folder " + root.resolve("datasets").resolve("cifar10")
                + ": folder not found"), message);
        assertTrue(message.contains("Offline mode is on, so nothing was downloaded."), message);
        assertTrue(message.contains("run `nativetok data download cifar10`"), message);
        assertTrue(message.contains("set NATIVETOK_DATA"), message);
        assertTrue(message.contains("pass --data DIR"), message);
        assertTrue(Files.notExists(root.resolve("datasets")), "offline mode creates no folder");
    }

    @Test
    void missingDataIsDownloadedIntoDefaultFolder(@TempDir Path root) {
        List<Long> progress = new ArrayList<>();
        DataLocation location = location(root, Map.of())
                .downloadUrl(server().uri("/cifar-10-binary.tar.gz"))
                .downloadMd5(server().archiveMd5())
                .build();

        Path found = location.locateCifar10(null, false, (done, total) -> progress.add(done));

        assertEquals(root.resolve("datasets").resolve("cifar10"), found);
        assertEquals(List.of(), Cifar10.missingFiles(found));
        assertEquals(LocalArchiveServer.RECORDS_PER_FILE, Cifar10.load(found, Cifar10.Split.TEST).size());
        assertEquals((long) server().archive().length, progress.get(progress.size() - 1));
    }

    @Test
    void failedDownloadListsPlacesAndCause(@TempDir Path root) {
        DataLocation location = location(root, Map.of()).build();

        DataException error = assertThrows(DataException.class, () -> location.locateCifar10(null, false, null));

        String message = error.getMessage();
        assertTrue(message.contains("default folder " + root.resolve("datasets").resolve("cifar10")
                + ": folder not found"), message);
        assertTrue(message.contains("The download into " + root.resolve("datasets").resolve("cifar10") + " failed"),
                message);
        assertTrue(message.contains(server().uri("/no-download-expected") + " failed: HTTP status 404"), message);
        assertTrue(message.contains("run `nativetok data download cifar10`"), message);
    }
}
