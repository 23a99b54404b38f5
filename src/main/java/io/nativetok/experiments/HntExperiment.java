package io.nativetok.experiments;

import com.google.gson.Gson;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.train.Evaluation;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.CsvMetricsListener;
import io.nativetok.train.HierarchicalTraining;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.train.TrainingListener;
import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Hierarchical Native Training against direct training at equal wall time.
 *
 * <p>HNT grows the model through the schedule L/4, L/2, L with the budget's steps split over its
 * phases. Its wall time is recorded; the direct run then trains the L-token model for as many steps
 * as fit in the same time, estimated from the median time of its first steps. Both are evaluated on
 * the evaluation images.
 */
public final class HntExperiment implements Experiment {

    private static final int TIMING_WARMUP_STEPS = 2;
    private static final int TIMING_STEPS = 5;

    @Override
    public String name() {
        return "hnt";
    }

    @Override
    public String description() {
        return "Hierarchical Native Training (L/4 -> L/2 -> L) against direct training at equal wall time";
    }

    @Override
    public void run(ExperimentContext context) {
        Budget budget = context.budget();
        NativeTokConfig config = context.preset().config();
        int tokens = config.tokens();
        int[] schedule = {Math.max(1, tokens / 4), Math.max(2, tokens / 2), tokens};
        int stageSteps = (int) Math.max(1, budget.tokenizerSteps() / (schedule.length + 0.25 * (schedule.length - 1)));
        int fineTuneSteps = Math.max(1, stageSteps / 4);
        TrainingConfig training = TrainingConfig.forPreset(context.preset());

        Evaluation hnt;
        double hntSeconds;
        try (NativeTok tokenizer = trainHnt(context, config, schedule, stageSteps, fineTuneSteps, training)) {
            hnt = context.evaluate("hnt", tokenizer);
            hntSeconds = readSeconds(context.out().resolve("hnt").resolve("wall-time.json"));
        }

        int directSteps = directSteps(context, config, training, hntSeconds);
        Evaluation direct;
        try (NativeTok tokenizer = context.trainTokenizer(
                "direct", config, training.toBuilder().steps(directSteps).build())) {
            direct = context.evaluate("direct", tokenizer);
        }

        long hntSteps = (long) stageSteps * schedule.length + (long) fineTuneSteps * (schedule.length - 1);
        Table table = Table.create("hnt vs direct",
                StringColumn.create("method", "hnt " + schedule[0] + "-" + schedule[1] + "-" + schedule[2], "direct " + tokens),
                IntColumn.create("steps", (int) hntSteps, directSteps),
                DoubleColumn.create("time_budget_minutes", hntSeconds / 60, hntSeconds / 60),
                DoubleColumn.create("step_time_minutes",
                        stepMinutes(context.out().resolve("hnt")), stepMinutes(context.out().resolve("direct"))),
                DoubleColumn.create("psnr", hnt.psnr(), direct.psnr()),
                DoubleColumn.create("ssim", hnt.ssim(), direct.ssim()),
                DoubleColumn.create("codebook_usage", hnt.codebookUsage(), direct.codebookUsage()));
        context.table("hnt_vs_direct", table);
        context.note("time_budget_minutes is the HNT run's wall time, summed over invocations. The direct run's"
                + " step count is that time divided by the direct model's median step time over a few timed steps"
                + " (direct-steps.json), so both runs had the same time budget. step_time_minutes is the sum of each run's measured step times (its metrics.csv),"
                + " which leaves out checkpoint writing. It shows how close the two runs came to equal time.");
    }

    /** Returns the sum of the {@code milliseconds} column of a run's metrics.csv, in minutes. */
    static double stepMinutes(Path runFolder) {
        Path file = runFolder.resolve("metrics.csv");
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new NativeTokException("Failed to read the step times in " + file + ": " + e.getMessage()
                    + ". Delete the run's folder to train it again.", e);
        }
        String header = lines.isEmpty() ? "" : lines.get(0);
        int column = List.of(header.split(",")).indexOf("milliseconds");
        if (column < 0) {
            throw new NativeTokException("Invalid " + file + ": expected a 'milliseconds' column in its header '"
                    + header + "'. Delete the run's folder to train it again.");
        }
        double millis = 0;
        for (int row = 1; row < lines.size(); row++) {
            String[] fields = lines.get(row).split(",");
            try {
                millis += Double.parseDouble(fields[column]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new NativeTokException("Invalid line " + (row + 1) + " of " + file + ": '" + lines.get(row)
                        + "' has no step time in column " + (column + 1) + ". Delete the run's folder to train it again.", e);
            }
        }
        return millis / 60_000;
    }

    private static NativeTok trainHnt(
            ExperimentContext context, NativeTokConfig config, int[] schedule, int stageSteps, int fineTuneSteps,
            TrainingConfig training) {
        Path folder = context.out().resolve("hnt");
        Path finished = folder.resolve("tokenizer.ckpt");
        if (Files.isRegularFile(finished)) {
            return NativeTok.load(finished);
        }
        long start = System.nanoTime();
        Path checkpoints = folder.resolve("checkpoints");
        Optional<Path> latest = CheckpointListener.latest(checkpoints);
        // A checkpoint taken after a growth has more tokens than the schedule's first length.
        NativeTokConfig startConfig = latest.isPresent()
                ? NativeTokConfig.fromMap(NativeTok.readHeaderConfig(latest.get()))
                : config.withTokens(schedule[0]);
        NativeTok tokenizer = NativeTok.create(startConfig);
        WallTime wallTime = new WallTime(folder.resolve("wall-time-at-checkpoints.json"));
        try (HierarchicalTraining hnt = new HierarchicalTraining(tokenizer, schedule, stageSteps, fineTuneSteps, training)) {
            if (latest.isPresent()) {
                hnt.load(latest.get());
                wallTime.resumeAt(hnt.trainer().stepCount());
                context.log().printf("[hnt] hnt: resuming at step %d%n", hnt.trainer().stepCount());
            }
            // The wall time is recorded before the checkpoint is written, so every checkpoint has it.
            hnt.trainer().addListener(wallTime);
            hnt.trainer().addListener(new CheckpointListener(checkpoints));
            hnt.trainer().addListener(new CsvMetricsListener(folder));
            hnt.trainer().addListener(context.progressListener(() -> phaseLabel(hnt, fineTuneSteps)));
            hnt.fit(context.train(), null);
            tokenizer.save(finished);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        ExperimentContext.writeJson(folder.resolve("wall-time.json"), Map.of("seconds", wallTime.seconds()));
        context.recordStage("train hnt (this invocation)", start);
        return tokenizer;
    }

    /** Returns a progress label such as {@code "HNT phase 3/5 (16 tokens, fine-tune)"}. */
    private static String phaseLabel(HierarchicalTraining hnt, int fineTuneSteps) {
        HierarchicalTraining.Stage stage = hnt.stage();
        int phasesPerGrowth = fineTuneSteps > 0 ? 2 : 1;
        int phases = 1 + phasesPerGrowth * (hnt.schedule().length - 1);
        int phase = stage.index() == 0 ? 1
                : 1 + phasesPerGrowth * (stage.index() - 1) + (stage.phase() == HierarchicalTraining.Phase.FINE_TUNE ? 2 : 1);
        String trained = switch (stage.phase()) {
            case TRAIN -> "all parameters";
            case GROW -> "new experts and decoder";
            case FINE_TUNE -> "fine-tune";
        };
        return "HNT phase " + phase + "/" + phases + " (" + stage.tokens() + " tokens, " + trained + ")";
    }

    /**
     * The training wall time summed over interrupted invocations. At every checkpoint it records
     * the seconds spent up to that step. A resumed run adds its time to the time recorded at the
     * checkpoint it resumes from, so steps redone after an interruption count once.
     */
    private static final class WallTime implements TrainingListener {

        private final Path file;
        private final Map<String, Double> secondsAtStep;
        private double before;
        private long invocationStart = System.nanoTime();

        WallTime(Path file) {
            this.file = file;
            Map<String, Double> recorded = new LinkedHashMap<>();
            if (Files.isRegularFile(file)) {
                try {
                    Map<?, ?> map = new Gson().fromJson(Files.readString(file), Map.class);
                    map.forEach((step, seconds) -> recorded.put(String.valueOf(step), ((Number) seconds).doubleValue()));
                } catch (IOException | RuntimeException e) {
                    throw new NativeTokException("Failed to read " + file + ": " + e.getMessage()
                            + ". Delete the hnt folder to train HNT again from the start.", e);
                }
            }
            this.secondsAtStep = recorded;
        }

        /** Continues from the wall time recorded at the checkpoint of {@code step}. */
        void resumeAt(long step) {
            Double seconds = secondsAtStep.get(String.valueOf(step));
            if (seconds == null) {
                throw new NativeTokException("Cannot resume the HNT run at step " + step + ": " + file
                        + " records no wall time for that checkpoint, so the equal-time comparison would be"
                        + " wrong. Delete the hnt folder to train HNT again from the start.");
            }
            before = seconds;
            invocationStart = System.nanoTime();
        }

        double seconds() {
            return before + (System.nanoTime() - invocationStart) / 1e9;
        }

        @Override
        public void onCheckpoint(TokenizerTrainer trainer) {
            secondsAtStep.put(String.valueOf(trainer.stepCount()), seconds());
            ExperimentContext.writeJson(file, secondsAtStep);
        }
    }

    /** Returns how many direct steps fit in {@code seconds}, from timing a few steps (cached). */
    private static int directSteps(ExperimentContext context, NativeTokConfig config, TrainingConfig training, double seconds) {
        Path file = context.out().resolve("direct-steps.json");
        if (Files.isRegularFile(file)) {
            return (int) readNumber(file, "steps");
        }
        double[] millis = new double[TIMING_STEPS];
        try (NativeTok tokenizer = NativeTok.create(config);
                TokenizerTrainer trainer = tokenizer.newTrainer(training)) {
            int[] batch = IntStream.range(0, training.batchSize()).toArray();
            // A resumed invocation reaches this point in a fresh JVM, whose first steps are slower.
            for (int i = 0; i < TIMING_WARMUP_STEPS; i++) {
                trainer.step(context.train(), batch);
            }
            for (int i = 0; i < TIMING_STEPS; i++) {
                millis[i] = trainer.step(context.train(), batch).milliseconds();
            }
        }
        Arrays.sort(millis);
        int steps = (int) Math.max(1, Math.round(seconds * 1000 / millis[TIMING_STEPS / 2]));
        ExperimentContext.writeJson(file, Map.of("steps", steps, "median_step_ms", millis[TIMING_STEPS / 2],
                "timed_steps", TIMING_STEPS, "warmup_steps", TIMING_WARMUP_STEPS));
        return steps;
    }

    private static double readSeconds(Path file) {
        return readNumber(file, "seconds");
    }

    private static double readNumber(Path file, String key) {
        try {
            Map<?, ?> map = new Gson().fromJson(Files.readString(file), Map.class);
            return ((Number) map.get(key)).doubleValue();
        } catch (IOException | RuntimeException e) {
            throw new NativeTokException("Failed to read " + key + " from " + file + ": " + e.getMessage()
                    + ". Delete the file to measure again.", e);
        }
    }
}
