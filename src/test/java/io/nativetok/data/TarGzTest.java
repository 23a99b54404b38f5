package io.nativetok.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzTest {

    /** Writes a tar.gz whose entries are the given names, each containing its own name as text. */
    private static Path archive(Path file, List<String> names) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String name : names) {
                byte[] content = name.getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(name, true);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    @Test
    void prefixIsStrippedAndOtherPathsKept(@TempDir Path root) throws IOException {
        Path file = archive(root.resolve("a.tar.gz"),
                List.of("./cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-bin/sub/x.txt", "readme.html"));
        Path target = root.resolve("out");

        List<Path> written = TarGz.unpack(file, target, "cifar-10-batches-bin");

        assertEquals(List.of(target.resolve("data_batch_1.bin"), target.resolve("sub").resolve("x.txt"),
                target.resolve("readme.html")), written);
        assertEquals("./cifar-10-batches-bin/data_batch_1.bin", Files.readString(target.resolve("data_batch_1.bin")));
    }

    @Test
    void absoluteEntryIsRejected(@TempDir Path root) throws IOException {
        Path outside = root.resolve("outside.txt");
        Path file = archive(root.resolve("a.tar.gz"), List.of(outside.toString()));
        Path target = root.resolve("out");

        DataException error = assertThrows(DataException.class, () -> TarGz.unpack(file, target, null));

        assertTrue(error.getMessage().contains("'" + outside + "'"), error.getMessage());
        assertTrue(error.getMessage().contains("outside the target folder"), error.getMessage());
        assertFalse(Files.exists(outside), "nothing was written at the absolute path");
    }

    @Test
    void parentEntryIsRejected(@TempDir Path root) throws IOException {
        Path file = archive(root.resolve("a.tar.gz"), List.of("ok.txt", "../up.txt"));
        Path target = root.resolve("out");

        DataException error = assertThrows(DataException.class, () -> TarGz.unpack(file, target, null));

        assertTrue(error.getMessage().contains("'../up.txt'"), error.getMessage());
        assertFalse(Files.exists(root.resolve("up.txt")));
    }

    @Test
    void corruptArchiveFailsWithPath(@TempDir Path root) throws IOException {
        Path file = root.resolve("corrupt.tar.gz");
        Files.writeString(file, "this is not gzip data");

        DataException error = assertThrows(DataException.class, () -> TarGz.unpack(file, root.resolve("out"), null));

        assertTrue(error.getMessage().contains("Failed to unpack " + file), error.getMessage());
        assertTrue(error.getMessage().contains("download it again"), error.getMessage());
    }

    @Test
    void truncatedArchiveLeavesNoPartialFile(@TempDir Path root) throws IOException {
        byte[] large = new byte[200_000];
        new SplittableRandom(1).nextBytes(large);
        Path file = root.resolve("big.tar.gz");
        try (OutputStream out = Files.newOutputStream(file);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            TarArchiveEntry entry = new TarArchiveEntry("data_batch_1.bin");
            entry.setSize(large.length);
            tar.putArchiveEntry(entry);
            tar.write(large);
            tar.closeArchiveEntry();
        }
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        Path target = root.resolve("out");

        assertThrows(DataException.class, () -> TarGz.unpack(file, target, null));

        assertFalse(Files.exists(target.resolve("data_batch_1.bin")), "no truncated file under the final name");
        assertFalse(Files.exists(target.resolve("data_batch_1.bin.part")), "the partial file is deleted");
    }
}
