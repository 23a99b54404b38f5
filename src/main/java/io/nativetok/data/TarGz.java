package io.nativetok.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Unpacking of .tar.gz archives that never writes outside the target folder. */
public final class TarGz {

    private static final Logger LOG = LoggerFactory.getLogger(TarGz.class);

    private TarGz() {
    }

    /**
     * Unpacks {@code archive} into {@code targetDir}. Entries under {@code stripFolder/} lose that
     * prefix, so their files land directly in {@code targetDir}; other entries keep their path.
     *
     * @param stripFolder the top folder to strip, such as {@code "cifar-10-batches-bin"}, or null
     * @return the files written, in archive order
     * @throws DataException when an entry is a link, when its path would leave {@code targetDir}
     *     (such as {@code ../x} or {@code /etc/x}), or when the archive cannot be read
     */
    public static List<Path> unpack(Path archive, Path targetDir, String stripFolder) {
        Path root = targetDir.toAbsolutePath().normalize();
        List<Path> written = new ArrayList<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
                GzipCompressorInputStream gzip = new GzipCompressorInputStream(file);
                TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            Files.createDirectories(root);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String relative = stripPrefix(entry.getName(), stripFolder);
                if (relative.isEmpty()) {
                    continue;
                }
                Path destination = resolveInside(root, relative, entry.getName(), archive);

                if (entry.isSymbolicLink() || entry.isLink()) {
                    throw new DataException("Archive " + archive + " contains the link '" + entry.getName() + "' -> '"
                            + entry.getLinkName() + "'; links are rejected because they can point outside " + root
                            + ". Use an archive from a trusted source, such as the official CIFAR-10 archive.");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                } else if (entry.isFile()) {
                    writeFile(tar, destination);
                    written.add(destination);
                } else {
                    LOG.warn("Skipping archive entry {} in {}: it is neither a file nor a folder", entry.getName(),
                            archive);
                }
            }
        } catch (IOException e) {
            throw new DataException("Failed to unpack " + archive + " into " + root + ": " + e.getMessage()
                    + ". The archive is damaged or not a .tar.gz file; delete it and download it again.", e);
        }
        return written;
    }

    /**
     * Copies the current entry to a {@code .part} file and renames it, so that a failed unpack
     * never leaves a truncated file under the final name.
     */
    private static void writeFile(InputStream entry, Path destination) throws IOException {
        Files.createDirectories(destination.getParent());
        Path partial = destination.resolveSibling(destination.getFileName() + ".part");
        try {
            Files.copy(entry, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, destination, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Returns the entry path without a leading {@code ./} and without {@code stripFolder/}. */
    private static String stripPrefix(String name, String stripFolder) {
        String path = name;
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        if (stripFolder != null) {
            if (path.equals(stripFolder) || path.equals(stripFolder + "/")) {
                return "";
            }
            if (path.startsWith(stripFolder + "/")) {
                path = path.substring(stripFolder.length() + 1);
            }
        }
        return path;
    }

    private static Path resolveInside(Path root, String relative, String entryName, Path archive) {
        Path destination = root.resolve(relative).normalize();
        if (!destination.startsWith(root) || destination.equals(root)) {
            throw new DataException("Archive " + archive + " contains the entry '" + entryName + "', which would be"
                    + " written outside the target folder " + root + "; the archive is rejected as unsafe. Use an"
                    + " archive from a trusted source, such as the official CIFAR-10 archive.");
        }
        return destination;
    }
}
