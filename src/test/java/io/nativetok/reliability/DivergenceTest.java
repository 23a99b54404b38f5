package io.nativetok.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.nativetok.cli.Main;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestData;
import io.nativetok.data.TestImages;
import io.nativetok.nn.Layers;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.DivergenceException;
import io.nativetok.train.Optimization;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.train.TrainingListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A NaN or infinite loss, gradient or parameter stops training with a {@link DivergenceException}
 * that names the step and what was not finite, and the last good checkpoint stays in place.
 */
class DivergenceTest {

    private static final int POISON_STEP = 3;

    @TempDir Path folder;

    private static TrainingConfig config() {
        return TrainingConfig.forPreset(Preset.TINY).toBuilder().steps(10).intervals(0, 1).keepCheckpoints(3).build();
    }

    private static ImageSet trainingImages() {
        return ImageSets.subset(TestImages.cifarTest(), 0, 32);
    }

    /** Returns the decoder's last parameter, which feeds the reconstruction and nothing else. */
    private static Parameter decoderOutputWeight(NativeTok tok) {
        ai.djl.nn.ParameterList parameters = tok.decoder().getParameters();
        return parameters.valueAt(parameters.size() - 1);
    }

    private static void fillWithNaN(Parameter parameter) {
        NDArray array = parameter.getArray();
        try (NDArray nan = array.getManager().full(array.getShape(), Float.NaN)) {
            Layers.assign(array, nan);
        }
    }

    private static boolean allFinite(NativeTok tok) {
        for (Pair<String, Parameter> entry : tok.block().getParameters()) {
            for (float value : entry.getValue().getArray().toFloatArray()) {
                if (!Float.isFinite(value)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void nanLossStopsFitAndKeepsLastCheckpoint() {
        Path checkpoints = folder.resolve("checkpoints");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config())) {
            trainer.addListener(new CheckpointListener(checkpoints));
            trainer.addListener(new TrainingListener() {
                @Override
                public void onCheckpoint(TokenizerTrainer t) {
                    if (t.stepCount() == POISON_STEP) {
                        fillWithNaN(decoderOutputWeight(tok));
                    }
                }
            });
            ImageSet images = trainingImages();
            DivergenceException error =
                    assertThrows(DivergenceException.class, () -> trainer.fit(images, null));
            assertEquals(POISON_STEP + 1, error.step());
            assertEquals("reconstruction", error.term());
            assertTrue(Double.isNaN(error.value()));
            assertTrue(error.getMessage().contains("step " + (POISON_STEP + 1)), error.getMessage());
            assertTrue(error.getMessage().contains("reconstruction"), error.getMessage());
            assertEquals(POISON_STEP, trainer.stepCount(), "the diverged update was applied");
        }

        Path latest = CheckpointListener.latest(checkpoints).orElseThrow();
        assertEquals("step-0000003.ckpt", latest.getFileName().toString());
        try (NativeTok loaded = NativeTok.load(latest)) {
            assertTrue(allFinite(loaded), "the last checkpoint has non-finite parameters");
        }
    }

    @Test
    void saveRejectsNonFiniteParameters() throws Exception {
        Path file = folder.resolve("trainer.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config());
                NDManager manager = NDManager.newBaseManager()) {
            trainer.step(TestImages.cifarBatch(manager, 16));
            trainer.save(file);
            byte[] good = Files.readAllBytes(file);

            fillWithNaN(decoderOutputWeight(tok));
            DivergenceException error = assertThrows(DivergenceException.class, () -> trainer.save(file));
            assertTrue(error.getMessage().contains("was not written"), error.getMessage());
            assertTrue(error.term().contains("decoder"), error.term());
            assertArrayEquals(good, Files.readAllBytes(file), "the earlier checkpoint changed");
        }
    }

    @Test
    void nanGradientWithFiniteLossIsCaught() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                Optimization optimization = new Optimization(tok.block(), tok.manager(), config())) {
            Parameter parameter = decoderOutputWeight(tok);
            float[] before = parameter.getArray().toFloatArray();
            try (NDManager scope = tok.manager().newSubManager()) {
                DivergenceException error = assertThrows(DivergenceException.class, () -> optimization.apply(() -> {
                    NDArray weight = parameter.getArray();
                    NDArray view = weight.reshape(weight.getShape());
                    view.attach(scope);
                    // sqrt(w - w) is 0 everywhere, but its gradient is inf * 1 + inf * (-1) = NaN.
                    NDArray total = view.sub(view).sqrt().sum();
                    return new Optimization.Losses(total, Map.of("probe", total));
                }));
                assertEquals(1, error.step());
                assertTrue(error.term().startsWith("gradient norm"), error.term());
                assertTrue(Double.isNaN(error.value()) || Double.isInfinite(error.value()));
            }
            assertEquals(0, optimization.step());
            assertArrayEquals(before, parameter.getArray().toFloatArray(), "the parameter was updated");
        }
    }

    @Test
    void nanPixelsAreRejectedBeforeTheStep() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config());
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 16);
            images.set(new ai.djl.ndarray.index.NDIndex("5, 1, 7, 9"), Float.NaN);
            images.set(new ai.djl.ndarray.index.NDIndex("6, 0, 0, 0"), Float.POSITIVE_INFINITY);
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> trainer.step(images));
            assertTrue(error.getMessage().contains("2 values are NaN or infinite"), error.getMessage());
            assertTrue(error.getMessage().contains("first in image 5"), error.getMessage());
            assertEquals(0, trainer.stepCount());
            assertThrows(IllegalArgumentException.class, () -> tok.encode(images));
        }
    }

    @Test
    void hugeLearningRateGivesOneErrorLine() throws Exception {
        Path out = folder.resolve("run");
        StringWriter output = new StringWriter();
        StringWriter errors = new StringWriter();
        CommandLine commandLine = Main.newCommandLine();
        commandLine.setOut(new PrintWriter(output, true));
        commandLine.setErr(new PrintWriter(errors, true));
        int code = commandLine.execute("train", "--preset", "tiny", "--steps", "20", "--checkpoint-every", "1",
                "--eval-every", "0", "--train-images", "64", "--set", "train.learning-rate=1e30",
                "--offline", "--data", TestData.cifar10().toString(), "--out", out.toString());

        assertEquals(1, code, errors.toString());
        String message = errors.toString().strip();
        assertFalse(message.contains("\n"), "more than one line: " + message);
        assertTrue(message.startsWith("error: Training diverged"), message);
        assertTrue(message.matches(".*at step \\d+.*|.*by step \\d+.*"), message);
        assertFalse(Files.exists(out.resolve("tokenizer.ckpt")), "a final model was written");

        Path latest = CheckpointListener.latest(out.resolve("checkpoints")).orElseThrow();
        try (NativeTok loaded = NativeTok.load(latest)) {
            assertTrue(allFinite(loaded), latest + " has non-finite parameters");
        }
    }
}
