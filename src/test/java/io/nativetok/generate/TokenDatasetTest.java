package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.tokenizer.NativeTok;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProgressListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenDatasetTest {

    @TempDir Path folder;

    @Test
    void tokenizeMatchesEncodeAndLabels() {
        List<long[]> progress = new ArrayList<>();
        try (NativeTok tok = TestTokens.tokenizer(0)) {
            TokenDataset data = TokenDataset.tokenize(tok, TestTokens.images(20), 8,
                    (done, total) -> progress.add(new long[] {done, total}));
            assertEquals(20, data.size());
            assertEquals(tok.tokens(), data.length());
            assertEquals(tok.codebookSize(), data.codebookSize());
            assertEquals(10, data.classCount());
            assertEquals(TokenDataset.identity(tok), data.tokenizerIdentity());
            try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
                int[][] direct = tok.encode(TestTokens.batch(manager, 20));
                assertArrayEquals(direct, data.tokens());
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(TestTokens.images(20).label(i), data.label(i), "label of row " + i);
            }
        }
        assertEquals(List.of(0L, 8L, 16L, 20L), progress.stream().map(p -> p[0]).toList());
        assertEquals(20, progress.get(progress.size() - 1)[1]);
    }

    @Test
    void saveLoadRoundTrip() throws IOException {
        TokenDataset data = TestTokens.thirtyTwoImages();
        Path file = folder.resolve("tokens.bin");
        data.save(file);
        TokenDataset loaded = TokenDataset.load(file);
        assertArrayEquals(data.tokens(), loaded.tokens());
        for (int r = 0; r < data.size(); r++) {
            assertEquals(data.label(r), loaded.label(r));
        }
        assertEquals(data.classNames(), loaded.classNames());
        assertEquals(data.tokenizerIdentity(), loaded.tokenizerIdentity());
        assertEquals(data.tokenizerConfig(), loaded.tokenizerConfig());
        assertEquals(data.codebookSize(), loaded.codebookSize());
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".partial")), "temporary file left");
        }
    }

    @Test
    void flippedByteIsReportedAsCorrupted() throws IOException {
        Path file = folder.resolve("tokens.bin");
        TestTokens.thirtyTwoImages().save(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 0x01;
        Files.write(file, bytes);
        NativeTokException error = assertThrows(NativeTokException.class, () -> TokenDataset.load(file));
        assertTrue(error.getMessage().contains("corrupted"), error.getMessage());
        assertTrue(error.getMessage().contains("CRC-32"), error.getMessage());
    }

    @Test
    void truncatedFileIsReportedAsCorrupted() throws IOException {
        Path file = folder.resolve("tokens.bin");
        TestTokens.thirtyTwoImages().save(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        NativeTokException error = assertThrows(NativeTokException.class, () -> TokenDataset.load(file));
        assertTrue(error.getMessage().contains("corrupted"), error.getMessage());
    }

    @Test
    void labelOutsideClassesIsRejectedOnLoad() throws IOException {
        Path file = folder.resolve("tokens.bin");
        TestTokens.thirtyTwoImages().save(file);
        byte[] bytes = Files.readAllBytes(file);
        int lastLabel = bytes.length - 8 - 2;
        ByteBuffer.wrap(bytes).putShort(lastLabel, (short) 12);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
        Files.write(file, bytes);
        NativeTokException error = assertThrows(NativeTokException.class, () -> TokenDataset.load(file));
        assertTrue(error.getMessage().contains("Invalid label 12 at row 31"), error.getMessage());
        assertTrue(error.getMessage().contains("expected 0 to 9"), error.getMessage());
    }

    @Test
    void otherTokenizerIsRejected() {
        Path file = folder.resolve("tokens.bin");
        TestTokens.thirtyTwoImages().save(file);
        try (NativeTok same = TestTokens.tokenizer(0); NativeTok other = TestTokens.tokenizer(1)) {
            assertEquals(32, TokenDataset.load(file, same).size());
            NativeTokException error = assertThrows(NativeTokException.class, () -> TokenDataset.load(file, other));
            assertTrue(error.getMessage().contains("another tokenizer"), error.getMessage());
            assertTrue(error.getMessage().contains(TokenDataset.shortIdentity(TokenDataset.identity(other))),
                    error.getMessage());
        }
    }

    @Test
    void constructorRejectsBadIdsAndLabels() {
        List<String> names = List.of("a", "b");
        IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                () -> new TokenDataset(new int[][] {{0, 9}}, new int[] {0}, 8, names, "x", Map.of()));
        assertTrue(badId.getMessage().contains("Invalid token id 9 at row 0, position 1"), badId.getMessage());
        IllegalArgumentException badLabel = assertThrows(IllegalArgumentException.class,
                () -> new TokenDataset(new int[][] {{0, 1}}, new int[] {-1}, 8, names, "x", Map.of()));
        assertTrue(badLabel.getMessage().contains("Invalid label -1"), badLabel.getMessage());
    }

    @Test
    void notATokenFileIsNamed() throws IOException {
        Path file = folder.resolve("image.png");
        Files.writeString(file, "not tokens at all");
        NativeTokException error = assertThrows(NativeTokException.class, () -> TokenDataset.load(file));
        assertTrue(error.getMessage().startsWith("Not a token data set"), error.getMessage());
    }
}
