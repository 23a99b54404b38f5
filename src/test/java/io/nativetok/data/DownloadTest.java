package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadTest {

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

    private static List<String> listNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void downloadUnpacksIntoFolderAndLoads(@TempDir Path root) throws IOException {
        Path target = root.resolve("cifar10");
        List<long[]> reports = new ArrayList<>();
        Download download = Download.builder().progress((done, total) -> reports.add(new long[] {done, total})).build();

        Path result = download.downloadCifar10(target, server().uri("/cifar-10-binary.tar.gz"), server().archiveMd5());

        assertEquals(target, result);
        assertEquals(List.of("batches.meta.txt", "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"), listNames(target),
                "files land directly in the folder, and the archive is deleted");
        assertArrayEquals(server().records("data_batch_4.bin"), Files.readAllBytes(target.resolve("data_batch_4.bin")));

        ImageSet train = Cifar10.load(target, Cifar10.Split.TRAIN);
        assertEquals(5 * LocalArchiveServer.RECORDS_PER_FILE, train.size());
        assertEquals(6, train.label(0), "first label of data_batch_1");
        assertEquals(Cifar10.CLASS_NAMES, train.classNames());

        assertFalse(reports.isEmpty(), "progress was reported");
        long[] last = reports.get(reports.size() - 1);
        assertEquals(server().archive().length, last[0], "bytes received");
        assertEquals(server().archive().length, last[1], "total from Content-Length");
    }

    @Test
    void redirectIsFollowed(@TempDir Path root) {
        Path target = root.resolve("cifar10");

        Download.builder().build().downloadCifar10(target, server().uri("/redirect"), server().archiveMd5());

        assertEquals(List.of(), Cifar10.missingFiles(target));
    }

    @Test
    void chunkedBodyReportsUnknownTotal(@TempDir Path root) throws IOException {
        List<Long> totals = new ArrayList<>();
        Download download = Download.builder().progress((done, total) -> totals.add(total)).build();

        Path file = download.fetch(server().uri("/chunked.tar.gz"), root.resolve("a.tar.gz"), server().archiveMd5());

        assertArrayEquals(server().archive(), Files.readAllBytes(file));
        assertFalse(totals.isEmpty());
        assertTrue(totals.stream().allMatch(total -> total == -1), "totals " + totals);
    }

    @Test
    void wrongMd5FailsAndLeavesNoFile(@TempDir Path root) throws IOException {
        Path target = Files.createDirectories(root.resolve("cifar10"));
        String wrong = "0123456789abcdef0123456789abcdef";
        URI url = server().uri("/cifar-10-binary.tar.gz");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().downloadCifar10(target, url, wrong));

        String message = error.getMessage();
        assertTrue(message.contains("MD5 mismatch for " + url), message);
        assertTrue(message.contains("expected " + wrong), message);
        assertTrue(message.contains("got " + server().archiveMd5()), message);
        assertEquals(List.of(), listNames(target));
    }

    @Test
    void notFoundNamesUrlAndStatus(@TempDir Path root) throws IOException {
        Path target = root.resolve("cifar10");
        URI url = server().uri("/no-such-archive.tar.gz");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().downloadCifar10(target, url, server().archiveMd5()));

        assertTrue(error.getMessage().contains("Download of " + url + " failed: HTTP status 404"), error.getMessage());
        assertEquals(List.of(), listNames(target));
    }

    @Test
    void traversalEntryIsRejected(@TempDir Path root) throws IOException {
        Path target = root.resolve("deep").resolve("cifar10");
        URI url = server().uri("/traversal.tar.gz");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().downloadCifar10(target, url, server().md5("/traversal.tar.gz")));

        String message = error.getMessage();
        assertTrue(message.contains("'cifar-10-batches-bin/../../escaped.txt'"), message);
        assertTrue(message.contains("outside the target folder"), message);
        assertFalse(Files.exists(root.resolve("escaped.txt")), "no file was written outside the target");
        assertFalse(Files.exists(root.resolve("deep").resolve("escaped.txt")), "no file was written outside the target");
    }

    @Test
    void symbolicLinkEntryIsRejected(@TempDir Path root) {
        Path target = root.resolve("cifar10");
        URI url = server().uri("/symlink.tar.gz");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().downloadCifar10(target, url, server().md5("/symlink.tar.gz")));

        assertTrue(error.getMessage().contains("link 'cifar-10-batches-bin/passwd' -> '/etc/passwd'"),
                error.getMessage());
        assertFalse(Files.exists(target.resolve("passwd")));
    }

    @Test
    void stalledBodyFailsAndLeavesNoFile(@TempDir Path root) throws IOException {
        Path target = Files.createDirectories(root.resolve("cifar10"));
        Download download = Download.builder().stallTimeout(Duration.ofSeconds(1)).build();
        URI url = server().uri("/stall");

        DataException error = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> assertThrows(DataException.class,
                () -> download.fetch(url, target.resolve("archive.tar.gz"), server().archiveMd5())));

        assertTrue(error.getMessage().contains("Download of " + url + " stalled: no data for 1 s after 1024 bytes"),
                error.getMessage());
        assertEquals(List.of(), listNames(target));
    }

    @Test
    void missingResponseTimesOut(@TempDir Path root) throws IOException {
        Path target = Files.createDirectories(root.resolve("cifar10"));
        Download download = Download.builder().stallTimeout(Duration.ofSeconds(1)).build();
        URI url = server().uri("/silent");

        DataException error = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> assertThrows(DataException.class,
                () -> download.fetch(url, target.resolve("archive.tar.gz"), server().archiveMd5())));

        assertTrue(error.getMessage().contains("Download of " + url + " timed out: no response within 1 s"),
                error.getMessage());
        assertEquals(List.of(), listNames(target));
    }

    @Test
    void slowBodyLongerThanTimeoutSucceeds(@TempDir Path root) throws IOException {
        // The body takes about 2.4 s but never pauses for 1 s, so the stall timeout must not fire.
        Download download = Download.builder().stallTimeout(Duration.ofSeconds(1)).build();

        Path file = download.fetch(server().uri("/slow.tar.gz"), root.resolve("a.tar.gz"), server().archiveMd5());

        assertArrayEquals(server().archive(), Files.readAllBytes(file));
    }

    @Test
    void truncatedBodyFailsAndLeavesNoFile(@TempDir Path root) throws IOException {
        Path target = Files.createDirectories(root.resolve("cifar10"));
        URI url = server().uri("/truncated");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().fetch(url, target.resolve("archive.tar.gz"), server().archiveMd5()));

        assertTrue(error.getMessage().contains("Download of " + url), error.getMessage());
        assertEquals(List.of(), listNames(target));
    }

    @Test
    void refusedConnectionNamesUrl(@TempDir Path root) throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + "/cifar-10-binary.tar.gz");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().fetch(url, root.resolve("a.tar.gz"), Download.CIFAR10_MD5));

        assertTrue(error.getMessage().contains("Connection to " + url + " failed"), error.getMessage());
        assertEquals(List.of(), listNames(root));
    }

    @Test
    void invalidMd5IsRejectedBeforeDownload(@TempDir Path root) throws IOException {
        // Port 1 on the loopback address is closed, so any request would fail with another message.
        URI url = URI.create("http://127.0.0.1:1/cifar-10-binary.tar.gz");

        DataException error = assertThrows(DataException.class,
                () -> Download.builder().build().fetch(url, root.resolve("a.tar.gz"), "c32a1d4ab5d03f12"));

        assertTrue(error.getMessage().contains("Invalid MD5 'c32a1d4ab5d03f12': expected 32 hexadecimal digits"),
                error.getMessage());
        assertEquals(List.of(), listNames(root));
    }
}
