package io.nativetok.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.cli.Main;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestData;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.StepMetrics;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.train.TrainingListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A run stopped after a checkpoint and resumed from it gives the same losses, bit for bit, as a
 * run that was never stopped: through {@link TokenizerTrainer#fit} and through {@code nativetok
 * train --resume}.
 */
class ExactResumeTest {

    private static final int STOP_STEP = 5;
    private static final int TOTAL_STEPS = STOP_STEP + 20;

    @TempDir Path folder;

    /** Thrown by a listener to end {@code fit} the way a crash right after a checkpoint would. */
    private static final class StopTraining extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Settings that exercise every piece of resumable state within 25 steps. Codebook restarts
     * run every 10 steps, so steps 10 and 20 come after the stop. Tail dropout is on. The 72
     * images in batches of 16 make the BatchSampler start a new epoch every 4 steps and drop an
     * incomplete tail.
     */
    private static TrainingConfig config() {
        return TrainingConfig.forPreset(Preset.TINY).toBuilder()
                .steps(TOTAL_STEPS)
                .intervals(0, STOP_STEP)
                .keepCheckpoints(10)
                .restartUnusedCodes(10)
                .tailDropout(0.3f)
                .build();
    }

    private static ImageSet trainingImages() {
        return ImageSets.subset(TestImages.cifarTest(), 0, 72);
    }

    /** Records every step's metrics, and optionally stops {@code fit} after a checkpoint at one step. */
    private static final class Recorder implements TrainingListener {
        final List<StepMetrics> steps = new ArrayList<>();
        private final long stopAfterCheckpoint;

        Recorder(long stopAfterCheckpoint) {
            this.stopAfterCheckpoint = stopAfterCheckpoint;
        }

        @Override
        public void onStep(TokenizerTrainer trainer, StepMetrics metrics) {
            steps.add(metrics);
        }

        @Override
        public void onCheckpoint(TokenizerTrainer trainer) {
            if (trainer.stepCount() == stopAfterCheckpoint) {
                throw new StopTraining();
            }
        }
    }

    private static double[][] lossColumns(List<StepMetrics> steps) {
        return steps.stream()
                .map(m -> new double[] {
                    m.step(), m.loss(), m.reconstructionLoss(), m.codebookLoss(), m.commitmentLoss(),
                    m.codebookUsage(), m.gradientNorm(), m.learningRate()})
                .toArray(double[][]::new);
    }

    @Test
    void fitResumedFromCheckpointMatchesUninterruptedRun() {
        ImageSet train = trainingImages();
        Path straightFolder = folder.resolve("straight");
        Path stoppedFolder = folder.resolve("stopped");

        Recorder straight = new Recorder(-1);
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config())) {
            trainer.addListener(new CheckpointListener(straightFolder)).addListener(straight);
            trainer.fit(train, null);
        }
        assertEquals(TOTAL_STEPS, straight.steps.size());

        Recorder beforeStop = new Recorder(STOP_STEP);
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config())) {
            trainer.addListener(new CheckpointListener(stoppedFolder)).addListener(beforeStop);
            assertThrows(StopTraining.class, () -> trainer.fit(train, null));
        }
        Path checkpoint = CheckpointListener.latest(stoppedFolder).orElseThrow();
        assertEquals("step-0000005.ckpt", checkpoint.getFileName().toString());

        // A fresh process would do this: build from the saved configuration, then load the state.
        Recorder resumed = new Recorder(-1);
        try (NativeTok tok = NativeTok.create(
                        io.nativetok.tokenizer.NativeTokConfig.fromMap(NativeTok.readHeaderConfig(checkpoint)));
                TokenizerTrainer trainer = tok.newTrainer(config())) {
            trainer.load(checkpoint);
            assertEquals(STOP_STEP, trainer.stepCount());
            trainer.addListener(resumed);
            trainer.fit(train, null);
        }

        double[][] expected = lossColumns(straight.steps.subList(STOP_STEP, TOTAL_STEPS));
        double[][] actual = lossColumns(resumed.steps);
        assertEquals(expected.length, actual.length, "resumed step count");
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Arrays.equals(expected[i], actual[i]),
                    "step " + (STOP_STEP + 1 + i) + ": uninterrupted " + Arrays.toString(expected[i])
                            + " but resumed " + Arrays.toString(actual[i]));
        }
    }

    @Test
    void codebookRestartsChangeTheRun() {
        // Shows that the restart steps inside the compared window do something, so that the exact
        // match above covers the restart state and not a no-op.
        ImageSet train = trainingImages();
        double[] withRestarts = losses(config(), train);
        double[] withoutRestarts = losses(config().toBuilder().restartUnusedCodes(0).build(), train);
        for (int step = 1; step <= 10; step++) {
            assertEquals(withRestarts[step - 1], withoutRestarts[step - 1], 0.0, "step " + step);
        }
        assertNotEquals(withRestarts[10], withoutRestarts[10], "step 11, after the first restart");
    }

    private static double[] losses(TrainingConfig config, ImageSet train) {
        Recorder recorder = new Recorder(-1);
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config.toBuilder().steps(11).build())) {
            trainer.addListener(recorder);
            trainer.fit(train, null);
        }
        return recorder.steps.stream().mapToDouble(StepMetrics::loss).toArray();
    }

    // ---------------------------------------------------------------- command line

    private static int run(String... args) {
        CommandLine commandLine = Main.newCommandLine();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        assertEquals(0, code, err.toString());
        return code;
    }

    private static String[] trainArgs(Path out, int steps, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train", "--preset", "tiny", "--steps", String.valueOf(steps), "--checkpoint-every", "4",
                "--eval-every", "0", "--train-images", "72", "--set", "train.restart-unused-codes=7",
                "--offline", "--data", TestData.cifar10().toString(), "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** Returns metrics.csv rows without the timing and memory columns, which differ between runs. */
    private static List<String> lossRows(Path out) throws java.io.IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.csv"))) {
            String[] columns = line.split(",");
            rows.add(String.join(",", Arrays.copyOf(columns, columns.length - 3)));
        }
        return rows;
    }

    @Test
    void commandLineResumeMatchesStraightRun() throws Exception {
        Path straight = folder.resolve("cli-straight");
        Path resumed = folder.resolve("cli-resumed");
        run(trainArgs(straight, 30));
        run(trainArgs(resumed, 10));
        run(trainArgs(resumed, 30, "--resume"));

        List<String> expected = lossRows(straight);
        List<String> actual = lossRows(resumed);
        assertEquals(31, expected.size(), "header plus 30 steps");
        assertEquals(31, actual.size(), "header plus 30 steps, each once");
        for (int step = 11; step <= 30; step++) {
            assertEquals(expected.get(step), actual.get(step), "metrics.csv row of step " + step);
        }
    }
}
