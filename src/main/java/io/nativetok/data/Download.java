package io.nativetok.data;

import io.nativetok.util.ProgressListener;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP(S) download of a file checked by MD5, and of CIFAR-10 from its official archive.
 *
 * <p>The body goes to a temporary {@code .part} file in the target folder and is renamed to its
 * final name only after its MD5 matches, so an interrupted or corrupt download never leaves a
 * file under the final name. Redirects are followed (except from HTTPS to HTTP). A connection
 * that cannot be made within the connect timeout, or a body that delivers no bytes for the stall
 * timeout, fails with a {@link DataException}.
 */
public final class Download {

    /** Official CIFAR-10 binary archive. */
    public static final URI CIFAR10_URL = URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");

    /** MD5 of the official CIFAR-10 binary archive. */
    public static final String CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530";

    /** Folder inside the official archive that contains the files. */
    public static final String CIFAR10_ARCHIVE_FOLDER = "cifar-10-batches-bin";

    /** File name of the archive while it is in the target folder. */
    public static final String CIFAR10_ARCHIVE_NAME = "cifar-10-binary.tar.gz";

    private static final Logger LOG = LoggerFactory.getLogger(Download.class);
    private static final Pattern MD5_PATTERN = Pattern.compile("[0-9a-fA-F]{32}");
    private static final long POLL_MILLIS = 200;

    private final Duration connectTimeout;
    private final Duration stallTimeout;
    private final ProgressListener progress;

    private Download(Builder builder) {
        this.connectTimeout = builder.connectTimeout;
        this.stallTimeout = builder.stallTimeout;
        this.progress = builder.progress;
    }

    /** Returns a builder with a 30 s connect timeout, a 60 s stall timeout and no progress listener. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Downloads the CIFAR-10 binary archive into {@code targetDir}, unpacks it there and deletes
     * the archive. The {@code .bin} files and {@code batches.meta.txt} end up directly in
     * {@code targetDir}, without the archive's {@code cifar-10-batches-bin/} folder.
     *
     * @param url the archive, such as {@link #CIFAR10_URL}
     * @param md5 the archive's expected MD5 in hex, such as {@link #CIFAR10_MD5}
     * @return {@code targetDir}
     * @throws DataException when the download, the MD5 check, the unpacking or the final check of
     *     the six record files fails
     */
    public Path downloadCifar10(Path targetDir, URI url, String md5) {
        createFolder(targetDir);
        Path archive = targetDir.resolve(CIFAR10_ARCHIVE_NAME);
        LOG.info("Downloading CIFAR-10 from {} to {}", url, targetDir);
        fetch(url, archive, md5);

        List<Path> unpacked = TarGz.unpack(archive, targetDir, CIFAR10_ARCHIVE_FOLDER);
        LOG.info("Unpacked {} files from {} into {}", unpacked.size(), archive.getFileName(), targetDir);
        deleteQuietly(archive);

        List<String> missing = Cifar10.missingFiles(targetDir);
        if (!missing.isEmpty()) {
            throw new DataException("The archive from " + url + " did not contain the CIFAR-10 files "
                    + String.join(", ", missing) + " (unpacked into " + targetDir + "). Check that --url points to the"
                    + " CIFAR-10 binary version, such as " + CIFAR10_URL + ".");
        }
        return targetDir;
    }

    /**
     * Downloads {@code url} to {@code target}, replacing an existing file only when the MD5 of the
     * download matches {@code md5}.
     *
     * @throws DataException on an invalid MD5 string, an HTTP status other than 200, a connection
     *     failure, a stalled or truncated body, or an MD5 mismatch. The temporary file is deleted.
     */
    public Path fetch(URI url, Path target, String md5) {
        String expectedMd5 = checkMd5(md5);
        Path folder = target.toAbsolutePath().getParent();
        createFolder(folder);

        Path temporary;
        try {
            temporary = Files.createTempFile(folder, target.getFileName() + ".", ".part");
        } catch (IOException e) {
            throw new DataException("Failed to create a temporary file in " + folder + ": " + e.getMessage()
                    + ". Check that the folder is writable and has free space.", e);
        }

        boolean moved = false;
        try {
            String actualMd5 = receive(url, temporary);
            if (!actualMd5.equals(expectedMd5)) {
                throw new DataException("MD5 mismatch for " + url + ": expected " + expectedMd5 + ", got " + actualMd5
                        + ". The download is corrupt or the file changed on the server; the partial file was"
                        + " deleted. Try again, or pass the right --md5 for this URL.");
            }
            moveIntoPlace(temporary, target);
            moved = true;
            LOG.info("Downloaded {} to {} (MD5 {} matches)", url, target, actualMd5);
            return target;
        } finally {
            if (!moved) {
                deleteQuietly(temporary);
            }
        }
    }

    /** Streams the body of {@code url} into {@code file} and returns its MD5 in lowercase hex. */
    private String receive(URI url, Path file) {
        HttpClient client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(connectTimeout)
                .build();
        // The request timeout covers the wait for the response headers; the body is watched below.
        HttpRequest request = HttpRequest.newBuilder(url).timeout(stallTimeout).GET().build();

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            FileSubscriber subscriber = new FileSubscriber(channel, progress);
            CompletableFuture<HttpResponse<String>> future = client.sendAsync(request, info -> {
                subscriber.expectLength(info.headers().firstValueAsLong("Content-Length").orElse(-1));
                return info.statusCode() == 200 ? subscriber : HttpResponse.BodySubscribers.replacing(null);
            });
            HttpResponse<String> response = awaitResponse(url, future, subscriber);
            if (response.statusCode() != 200) {
                throw new DataException("Download of " + url + " failed: HTTP status " + response.statusCode()
                        + ", expected 200. Check the URL" + (response.statusCode() == 404 ? " (the file was not found)"
                        : "") + ", or download the file by hand into the target folder.");
            }
            subscriber.checkComplete(url);
            return subscriber.md5();
        } catch (IOException e) {
            throw new DataException("Failed to write the download of " + url + " to " + file + ": " + e.getMessage()
                    + ". Check that the folder is writable and has free space.", e);
        }
    }

    /** Waits for the response, cancelling it when no bytes arrive for the stall timeout. */
    private HttpResponse<String> awaitResponse(
            URI url, CompletableFuture<HttpResponse<String>> future, FileSubscriber subscriber) {
        long stallNanos = stallTimeout.toNanos();
        while (true) {
            try {
                return future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long idle = System.nanoTime() - subscriber.lastActivityNanos();
                if (subscriber.started() && idle > stallNanos) {
                    subscriber.cancel();
                    future.cancel(true);
                    throw new DataException("Download of " + url + " stalled: no data for " + stallTimeout.toSeconds()
                            + " s after " + subscriber.received() + " bytes. Check the network connection and try"
                            + " again.");
                }
            } catch (InterruptedException e) {
                subscriber.cancel();
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new DataException("Download of " + url + " was interrupted after " + subscriber.received()
                        + " bytes. Start it again.", e);
            } catch (ExecutionException e) {
                throw failure(url, e.getCause(), subscriber);
            }
        }
    }

    private DataException failure(URI url, Throwable cause, FileSubscriber subscriber) {
        if (cause instanceof DataException) {
            return (DataException) cause;
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new DataException("Connection to " + url + " timed out after " + connectTimeout.toSeconds()
                    + " s. Check the network connection and the URL, then try again.", cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new DataException("Download of " + url + " timed out: no response within "
                    + stallTimeout.toSeconds() + " s. Check the network connection and try again.", cause);
        }
        if (cause instanceof ConnectException) {
            String reason = cause.getMessage() == null ? "refused or unreachable" : cause.getMessage();
            return new DataException("Connection to " + url + " failed (" + reason + "). Check the network connection"
                    + " and the URL, then try again.", cause);
        }
        return new DataException("Download of " + url + " failed after " + subscriber.received() + " bytes: "
                + cause + ". The connection closed early or the server sent an invalid response; try again.", cause);
    }

    private static String checkMd5(String md5) {
        Objects.requireNonNull(md5, "md5");
        if (!MD5_PATTERN.matcher(md5).matches()) {
            throw new DataException("Invalid MD5 '" + md5 + "': expected 32 hexadecimal digits, such as "
                    + CIFAR10_MD5 + ".");
        }
        return md5.toLowerCase(Locale.ROOT);
    }

    private static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new DataException("Failed to create folder " + folder + ": " + e.getMessage()
                    + ". Choose a writable location.", e);
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) {
        try {
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new DataException("Failed to rename " + temporary + " to " + target + ": " + e.getMessage()
                    + ". Check that the folder is writable.", e);
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Failed to delete {}: {}", file, e.toString());
        }
    }

    /**
     * Body subscriber that writes to a file channel, computes the MD5 and reports progress. It
     * requests one chunk at a time, so a slow disk slows the download instead of filling memory.
     */
    private static final class FileSubscriber implements HttpResponse.BodySubscriber<String> {
        private final FileChannel channel;
        private final ProgressListener progress;
        private final MessageDigest digest;
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
        private volatile Flow.Subscription subscription;
        private volatile long expectedLength = -1;
        private volatile long received;
        private volatile boolean started;

        FileSubscriber(FileChannel channel, ProgressListener progress) {
            this.channel = channel;
            this.progress = progress;
            try {
                this.digest = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("The JVM has no MD5 MessageDigest, which every Java SE platform must"
                        + " provide.", e);
            }
        }

        void expectLength(long length) {
            this.expectedLength = length;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            this.started = true;
            lastActivity.set(System.nanoTime());
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer buffer : buffers) {
                    digest.update(buffer.duplicate());
                    while (buffer.hasRemaining()) {
                        received += channel.write(buffer);
                    }
                }
            } catch (IOException e) {
                subscription.cancel();
                result.completeExceptionally(new DataException("Failed to write the download to disk: "
                        + e.getMessage() + ". Check that the folder has free space.", e));
                return;
            }
            lastActivity.set(System.nanoTime());
            progress.onProgress(received, expectedLength);
            subscription.request(1);
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(null);
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        void cancel() {
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
        }

        void checkComplete(URI url) {
            if (expectedLength >= 0 && received != expectedLength) {
                throw new DataException("Download of " + url + " is truncated: received " + received + " of "
                        + expectedLength + " bytes (Content-Length). Try again.");
            }
        }

        long received() {
            return received;
        }

        boolean started() {
            return started;
        }

        long lastActivityNanos() {
            return lastActivity.get();
        }

        String md5() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** Options of a {@link Download}. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        /** Sets the maximum time to open the connection; 30 s by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /**
         * Sets the maximum time to wait for the response headers and, after them, between two
         * chunks of the body; 60 s by default.
         */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = positive(timeout, "stall timeout");
            return this;
        }

        /** Sets the listener that receives bytes received and the Content-Length (-1 when unknown). */
        public Builder progress(ProgressListener progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** Returns the downloader. */
        public Download build() {
            return new Download(this);
        }

        private static Duration positive(Duration timeout, String name) {
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("Invalid " + name + " " + timeout + ": expected a positive duration,"
                        + " such as 30 s.");
            }
            return timeout;
        }
    }
}
