package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.TestImages;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveLoadTest {

    @TempDir Path folder;

    @Test
    void roundTripGivesIdenticalTokensAndImages() {
        Path file = folder.resolve("tok.ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 16);
            int[][] ids;
            float[] reconstruction;
            try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).seed(3).build();
                    TokenizerTrainer trainer = tok.newTrainer(TrainingConfig.forPreset(Preset.TINY))) {
                for (int i = 0; i < 5; i++) {
                    trainer.step(images);
                }
                ids = tok.encode(images);
                reconstruction = tok.reconstruct(images).toFloatArray();
                tok.save(file);
            }
            try (NativeTok loaded = NativeTok.load(file)) {
                assertArrayEquals(ids, loaded.encode(images));
                assertArrayEquals(reconstruction, loaded.reconstruct(images).toFloatArray());
            }
        }
    }

    @Test
    void trainerResumeContinuesExactly() {
        Path file = folder.resolve("trainer.ckpt");
        TrainingConfig config = TrainingConfig.forPreset(Preset.TINY).toBuilder().steps(20).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 16);
            double[] uninterrupted = new double[6];
            try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                    TokenizerTrainer trainer = tok.newTrainer(config)) {
                for (int i = 0; i < 4; i++) {
                    trainer.step(images);
                }
                trainer.save(file);
                for (int i = 0; i < uninterrupted.length; i++) {
                    uninterrupted[i] = trainer.step(images).loss();
                }
            }
            try (NativeTok tok = NativeTok.load(file);
                    TokenizerTrainer trainer = tok.newTrainer(config)) {
                trainer.load(file);
                assertEquals(4, trainer.stepCount());
                for (int i = 0; i < uninterrupted.length; i++) {
                    assertEquals(uninterrupted[i], trainer.step(images).loss(), 0.0, "loss of resumed step " + (5 + i));
                }
            }
        }
    }

    @Test
    void checkpointOfOtherConfigurationNamesFields() {
        Path file = folder.resolve("other.ckpt");
        try (NativeTok small = NativeTok.builder().preset(Preset.TINY).quantizer(q -> q.codebookSize(32)).build()) {
            small.save(file);
        }
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            NativeTokException e = assertThrows(NativeTokException.class, () -> tok.loadParameters(file));
            assertTrue(e.getMessage().contains("quantizer.codebook-size: 64 -> 32"), e.getMessage());
        }
    }

    @Test
    void corruptedCheckpointIsRejected() throws IOException {
        Path file = folder.resolve("corrupt.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            tok.save(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(file, bytes);
        NativeTokException e = assertThrows(NativeTokException.class, () -> NativeTok.load(file).close());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void truncatedCheckpointIsRejected() throws IOException {
        Path file = folder.resolve("truncated.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            tok.save(file);
        }
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        NativeTokException e = assertThrows(NativeTokException.class, () -> NativeTok.load(file).close());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void saveLeavesNoPartialFiles() throws IOException {
        Path file = folder.resolve("clean.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            tok.save(file);
            tok.save(file);
        }
        try (var files = Files.list(folder)) {
            assertEquals(java.util.List.of(file), files.toList());
        }
    }

    @Test
    void notACheckpointIsRejected() throws IOException {
        Path file = folder.resolve("text.ckpt");
        Files.writeString(file, "hello, this is not a checkpoint");
        NativeTokException e = assertThrows(NativeTokException.class, () -> NativeTok.load(file).close());
        assertTrue(e.getMessage().contains("Not a NativeTok checkpoint"), e.getMessage());
    }
}
