package io.nativetok.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * HTTP server on 127.0.0.1 (ephemeral port) that serves small CIFAR-10 archives for download tests.
 *
 * <p>The archive has the official layout: a {@code cifar-10-batches-bin/} folder with the six
 * {@code .bin} files, each holding the first {@link #RECORDS_PER_FILE} records of the real file,
 * and {@code batches.meta.txt}. Paths served:
 *
 * <ul>
 *   <li>{@code /cifar-10-binary.tar.gz}: the archive, with Content-Length
 *   <li>{@code /chunked.tar.gz}: the archive with chunked encoding, so no Content-Length
 *   <li>{@code /redirect}: 302 to {@code /cifar-10-binary.tar.gz}
 *   <li>{@code /traversal.tar.gz}: an archive with an entry {@code cifar-10-batches-bin/../../escaped.txt}
 *   <li>{@code /symlink.tar.gz}: an archive with a symbolic link entry
 *   <li>{@code /stall}: headers and 1,024 bytes, then nothing until the server closes (10 s at most)
 *   <li>{@code /silent}: no response at all until the server closes (10 s at most)
 *   <li>{@code /slow.tar.gz}: the archive in 8 parts, 300 ms apart (about 2.4 s in all)
 *   <li>{@code /truncated}: headers for the whole archive, half of it, then the connection closes
 *   <li>any other path: 404
 * </ul>
 */
public final class LocalArchiveServer implements AutoCloseable {

    /** Records copied from each real file into the archive. */
    public static final int RECORDS_PER_FILE = 3;

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final byte[] archive;
    private final Map<String, byte[]> archives = new LinkedHashMap<>();
    private final Map<String, byte[]> firstRecords;

    private LocalArchiveServer(Path cifar10) throws IOException {
        this.firstRecords = readFirstRecords(cifar10);
        this.archive = buildArchive(firstRecords, Files.readAllBytes(cifar10.resolve(Cifar10.META_FILE)), null);
        byte[] traversal = buildArchive(firstRecords, null, "traversal");
        byte[] symlink = buildArchive(firstRecords, null, "symlink");

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool();
        server.setExecutor(executor);
        server.createContext("/", exchange -> respond(exchange, 404, "not found\n".getBytes(StandardCharsets.UTF_8)));
        archives.put("/cifar-10-binary.tar.gz", archive);
        archives.put("/traversal.tar.gz", traversal);
        archives.put("/symlink.tar.gz", symlink);
        for (Map.Entry<String, byte[]> served : archives.entrySet()) {
            server.createContext(served.getKey(), exchange -> respond(exchange, 200, served.getValue()));
        }
        server.createContext("/chunked.tar.gz", this::respondChunked);
        server.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "/cifar-10-binary.tar.gz");
            respond(exchange, 302, new byte[0]);
        });
        server.createContext("/stall", this::respondStalled);
        server.createContext("/silent", this::respondNever);
        server.createContext("/slow.tar.gz", this::respondSlowly);
        server.createContext("/truncated", this::respondTruncated);
        server.start();
    }

    /** Starts a server whose archives hold records of the real CIFAR-10 files in {@code cifar10}. */
    public static LocalArchiveServer start(Path cifar10) {
        try {
            return new LocalArchiveServer(cifar10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the URL of {@code path} on this server, such as {@code /cifar-10-binary.tar.gz}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Returns the archive bytes served at {@code /cifar-10-binary.tar.gz}. */
    public byte[] archive() {
        return archive.clone();
    }

    /** Returns the MD5 of {@link #archive()} in lowercase hex. */
    public String archiveMd5() {
        return md5("/cifar-10-binary.tar.gz");
    }

    /** Returns the MD5 in lowercase hex of the archive served at {@code path}, such as {@code /traversal.tar.gz}. */
    public String md5(String path) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archives.get(path)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no MD5 MessageDigest.", e);
        }
    }

    /** Returns the records of {@code fileName} that went into the archive. */
    public byte[] records(String fileName) {
        return firstRecords.get(fileName).clone();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private static Map<String, byte[]> readFirstRecords(Path cifar10) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (String name : Cifar10.DATA_FILES) {
            byte[] bytes = new byte[RECORDS_PER_FILE * Cifar10.RECORD_BYTES];
            try (InputStream in = Files.newInputStream(cifar10.resolve(name))) {
                if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
                    throw new IOException(cifar10.resolve(name) + " has fewer than " + RECORDS_PER_FILE + " records");
                }
            }
            records.put(name, bytes);
        }
        return records;
    }

    /** Builds a tar.gz in the official layout; {@code extra} adds a "traversal" or "symlink" entry. */
    private static byte[] buildArchive(Map<String, byte[]> files, byte[] meta, String extra) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.putArchiveEntry(new TarArchiveEntry("cifar-10-batches-bin/"));
            tar.closeArchiveEntry();
            if ("traversal".equals(extra)) {
                addFile(tar, "cifar-10-batches-bin/../../escaped.txt", "outside\n".getBytes(StandardCharsets.UTF_8));
            }
            if ("symlink".equals(extra)) {
                TarArchiveEntry link = new TarArchiveEntry("cifar-10-batches-bin/passwd", TarConstants.LF_SYMLINK);
                link.setLinkName("/etc/passwd");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                addFile(tar, "cifar-10-batches-bin/" + file.getKey(), file.getValue());
            }
            if (meta != null) {
                addFile(tar, "cifar-10-batches-bin/" + Cifar10.META_FILE, meta);
            }
        }
        return bytes.toByteArray();
    }

    private static void addFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void respondChunked(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int start = 0; start < archive.length; start += 4096) {
                out.write(archive, start, Math.min(4096, archive.length - start));
            }
        }
    }

    private void respondStalled(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, archive.length);
        OutputStream out = exchange.getResponseBody();
        out.write(archive, 0, 1024);
        out.flush();
        awaitClose();
        exchange.close();
    }

    private void respondNever(HttpExchange exchange) throws IOException {
        awaitClose();
        exchange.close();
    }

    private void respondSlowly(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, archive.length);
        int part = (archive.length + 7) / 8;
        try (OutputStream out = exchange.getResponseBody()) {
            for (int start = 0; start < archive.length; start += part) {
                out.write(archive, start, Math.min(part, archive.length - start));
                out.flush();
                Thread.sleep(300);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitClose() {
        try {
            closing.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void respondTruncated(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, archive.length);
        OutputStream out = exchange.getResponseBody();
        out.write(Arrays.copyOf(archive, archive.length / 2));
        out.flush();
        // Closing the exchange with bytes missing makes the server drop the connection.
        exchange.close();
    }
}
