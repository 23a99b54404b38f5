package io.nativetok.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.cli.Main;
import io.nativetok.data.TestData;
import io.nativetok.tokenizer.CheckpointFile;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Kills a real training process with SIGKILL while it writes a checkpoint, then shows that the
 * newest complete checkpoint loads, that {@code --resume} continues from it, and that the partial
 * file of the interrupted write is never taken for a checkpoint and is deleted by the next save.
 */
class KillSafetyTest {

    /**
     * Kill attempts: at least {@code MIN_ATTEMPTS}, each resuming the run the previous one killed,
     * and more up to {@code MAX_ATTEMPTS} until one lands inside a checkpoint write.
     */
    private static final int MIN_ATTEMPTS = 3;
    private static final int MAX_ATTEMPTS = 6;
    private static final long ATTEMPT_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(3);

    @TempDir Path folder;

    private static List<String> trainCommand(Path out, boolean resume) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--preset", "tiny", "--steps", "100000",
                "--checkpoint-every", "1", "--eval-every", "0", "--train-images", "64",
                "--offline", "--data", TestData.cifar10().toString(), "--out", out.toString()));
        if (resume) {
            command.add("--resume");
        }
        return command;
    }

    /** What one attempt saw when it killed the process. */
    private record Kill(boolean midWrite, List<Path> partialsAfter, long newestStep) {}

    /**
     * Starts training, waits until a first checkpoint is complete, then kills the process as soon
     * as a partial checkpoint file appears. The kill landed mid-write when the partial file is
     * still there after the process died, because a finished write renames it.
     */
    private static Kill trainAndKill(Path out, boolean resume) throws Exception {
        Path checkpoints = out.resolve("checkpoints");
        Path log = out.resolveSibling(out.getFileName() + "-attempt.log");
        List<Path> stalePartials = CheckpointFile.partialFiles(checkpoints);
        Process process = new ProcessBuilder(trainCommand(out, resume))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            long deadline = System.nanoTime() + ATTEMPT_TIMEOUT_NANOS;
            long firstStep = CheckpointListener.latest(checkpoints).map(KillSafetyTest::stepOf).orElse(0L);
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("training exited early with code " + process.exitValue()
                            + ":\n" + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no checkpoint write seen within 3 minutes:\n" + Files.readString(log));
                }
                long newest = CheckpointListener.latest(checkpoints).map(KillSafetyTest::stepOf).orElse(0L);
                List<Path> partials = new ArrayList<>(CheckpointFile.partialFiles(checkpoints));
                partials.removeAll(stalePartials);
                if (newest > firstStep && !partials.isEmpty()) {
                    process.destroyForcibly();
                    break;
                }
                Thread.sleep(1);
            }
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "killed process did not exit");
            assertEquals(137, process.exitValue(), "exit code of a SIGKILL");
        } finally {
            process.destroyForcibly();
        }
        List<Path> partialsAfter = CheckpointFile.partialFiles(checkpoints);
        boolean midWrite = partialsAfter.stream().anyMatch(p -> !stalePartials.contains(p));
        long newestStep = stepOf(CheckpointListener.latest(checkpoints).orElseThrow());
        return new Kill(midWrite, partialsAfter, newestStep);
    }

    private static long stepOf(Path checkpoint) {
        String name = checkpoint.getFileName().toString();
        return Long.parseLong(name.substring("step-".length(), name.length() - ".ckpt".length()));
    }

    @Test
    void killDuringCheckpointWriteLosesNothing() throws Exception {
        Path out = folder.resolve("run");
        List<Kill> kills = new ArrayList<>();
        while (kills.size() < MIN_ATTEMPTS
                || (kills.size() < MAX_ATTEMPTS && kills.stream().noneMatch(Kill::midWrite))) {
            kills.add(trainAndKill(out, !kills.isEmpty()));
        }
        long landed = kills.stream().filter(Kill::midWrite).count();
        System.out.printf("Kill safety: %d of %d kills landed while a checkpoint was being written%n",
                landed, kills.size());
        assertTrue(landed >= 1, "no kill landed mid-write in " + kills.size() + " attempts");

        Path checkpoints = out.resolve("checkpoints");
        Kill last = kills.get(kills.size() - 1);
        List<Path> listed = CheckpointListener.list(checkpoints);
        assertFalse(listed.isEmpty(), "no complete checkpoint survived");
        for (Path checkpoint : listed) {
            assertFalse(CheckpointFile.isPartial(checkpoint), "listed a partial file: " + checkpoint);
        }
        Path newest = CheckpointListener.latest(checkpoints).orElseThrow();
        assertEquals(last.newestStep(), stepOf(newest));

        // The newest complete checkpoint loads, with its optimizer state, in this process.
        try (NativeTok tok = NativeTok.create(NativeTokConfig.fromMap(NativeTok.readHeaderConfig(newest)));
                TokenizerTrainer trainer = tok.newTrainer(TrainingConfig.forPreset(Preset.TINY))) {
            trainer.load(newest);
            assertEquals(last.newestStep(), trainer.stepCount());
        }

        // --resume continues from it, ignores the partial files and deletes them at its first save.
        long target = last.newestStep() + 2;
        StringWriter output = new StringWriter();
        StringWriter errors = new StringWriter();
        CommandLine commandLine = Main.newCommandLine();
        commandLine.setOut(new PrintWriter(output, true));
        commandLine.setErr(new PrintWriter(errors, true));
        int code = commandLine.execute("train", "--preset", "tiny", "--steps", String.valueOf(target),
                "--checkpoint-every", "1", "--eval-every", "0", "--train-images", "64", "--offline",
                "--data", TestData.cifar10().toString(), "--out", out.toString(), "--resume");
        assertEquals(0, code, errors.toString());
        assertTrue(output.toString().contains("Resumed from " + newest + " at step " + last.newestStep()),
                output.toString());
        assertEquals(List.of(), CheckpointFile.partialFiles(checkpoints), "partial files left after resume");
        assertEquals(target, stepOf(CheckpointListener.latest(checkpoints).orElseThrow()));
        assertMetricsHaveEachStepOnce(out.resolve("metrics.csv"), target);
    }

    private static void assertMetricsHaveEachStepOnce(Path metrics, long steps) throws IOException {
        List<String> rows = Files.readAllLines(metrics);
        assertEquals(steps + 1, rows.size(), "header plus one row per step");
        for (int step = 1; step <= steps; step++) {
            assertTrue(rows.get(step).startsWith(step + ","), "row " + step + ": " + rows.get(step));
        }
    }
}
