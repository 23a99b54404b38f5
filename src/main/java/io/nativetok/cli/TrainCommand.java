package io.nativetok.cli;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import io.nativetok.data.Cifar10;
import io.nativetok.data.DataLocation;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.Devices;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.CsvMetricsListener;
import io.nativetok.train.Evaluation;
import io.nativetok.train.HierarchicalTraining;
import io.nativetok.train.ProgressBarListener;
import io.nativetok.train.ReconstructionListener;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.train.TrainingListener;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProgressBar;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nativetok train}: trains a tokenizer on CIFAR-10 and writes everything into one folder.
 *
 * <p>The folder receives {@code config.json} (the resolved model and training settings),
 * {@code metrics.csv} and {@code evaluations.csv}, a reconstruction grid PNG per evaluation,
 * resumable checkpoints in {@code checkpoints/}, the final model {@code tokenizer.ckpt} and {@code
 * final-evaluation.json} with the evaluation on CIFAR-10 test records 0-999 (the bit-exact ones).
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a tokenizer on CIFAR-10 (resumable; see --resume).")
public final class TrainCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "cifar10",
            description = "Model and training preset: tiny, cifar10 or imagenet256 (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--encoder", paramLabel = "KIND", defaultValue = "nativetok",
            description = "Encoder: nativetok, titok or causal-mask (default: ${DEFAULT-VALUE}).")
    private String encoder;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: the preset's).")
    private Integer steps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per step (default: the preset's).")
    private Integer batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: the preset's).")
    private Float learningRate;

    @Option(names = "--eval-every", paramLabel = "N",
            description = "Steps between evaluations on test records 0-999; 0 for only the end.")
    private Integer evaluateEvery;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Steps between checkpoints; 0 for only the end.")
    private Integer checkpointEvery;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override any model key (e.g. mit.depth=6) or training key (e.g. train.warmup-steps=100);"
                    + " `nativetok train --list-keys` lists them.")
    private List<String> overrides = List.of();

    @Option(names = "--list-keys", description = "List the configuration keys and exit.")
    private boolean listKeys;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder of the run.")
    private Path out;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 folder with the six .bin files (default: $NATIVETOK_DATA, else datasets/cifar10).")
    private Path data;

    @Option(names = "--offline", description = "Never download the data; fail with instructions instead.")
    private boolean offline;

    @Option(names = "--train-images", paramLabel = "N",
            description = "Use only the first N training images (default: all 50,000).")
    private Integer trainImages;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in DIR/checkpoints.")
    private boolean resume;

    @Option(names = "--force", description = "Start over in a folder that already contains a run.")
    private boolean force;

    @Option(names = "--hnt", paramLabel = "LIST", split = ",",
            description = "Hierarchical Native Training schedule of token counts, e.g. 8,16,32; the last"
                    + " must equal the model's token count. --steps is then the total over all phases.")
    private int[] hnt;

    @Option(names = "--hnt-stage-steps", paramLabel = "N",
            description = "Steps of the first stage and of each growth stage (default: from --steps).")
    private Integer hntStageSteps;

    @Option(names = "--hnt-fine-tune-steps", paramLabel = "N",
            description = "Steps of the joint fine-tune after each growth (default: a quarter of a stage).")
    private Integer hntFineTuneSteps;

    @Option(names = "--tail-dropout", paramLabel = "P",
            description = "Probability that a step decodes only a random prefix of the tokens (default: 0).")
    private Float tailDropout;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "cpu, gpu or gpu:N; a GPU that is not usable is an error (default: ${DEFAULT-VALUE}).")
    private String device;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        if (listKeys) {
            NativeTokConfig.keys().forEach((key, description) -> stdout.printf("%-26s %s%n", key, description));
            TrainingConfig.keys().forEach(key -> stdout.printf("%-26s training setting%n", key));
            return 0;
        }
        if (out == null) {
            throw new IllegalArgumentException("Missing --out DIR: the folder that receives the run's files.");
        }
        if (resume && force) {
            throw new IllegalArgumentException(
                    "Options --resume and --force exclude each other: --resume continues the run in "
                            + out + ", --force deletes it and starts over. Pass one of them.");
        }

        // Everything is validated before the output folder is touched, so that a mistyped option
        // never costs the checkpoints of an existing run.
        Device chosen = Devices.parse(device);
        checkOutputFolder();
        Path checkpoints = out.resolve("checkpoints");
        Optional<Path> latest = CheckpointListener.latest(checkpoints);
        checkExistingRun(latest);
        boolean resuming = resume && latest.isPresent();
        if (resuming) {
            checkScheduleOfCheckpoint(latest.get());
        }

        NativeTokConfig modelConfig = resolveModelConfig(latest);
        checkImageSize(modelConfig);
        checkSchedule(modelConfig);
        Devices.check(chosen);
        TrainingConfig trainingConfig = resolveTrainingConfig(latest, Preset.parse(preset));

        Path dataFolder = locateData();
        ImageSet train = trainingImages(dataFolder, trainingConfig);
        ImageSet evaluation = Cifar10.load(dataFolder, Cifar10.Split.TEST_EXACT);

        prepareFolder();
        if (resume && !resuming) {
            stdout.println("No checkpoint in " + checkpoints + ", so --resume starts a new run.");
        }
        writeConfig(modelConfig, trainingConfig, stdout);

        NativeTokConfig startConfig = modelConfig;
        if (hnt != null) {
            startConfig = resuming
                    ? NativeTokConfig.fromMap(NativeTok.readHeaderConfig(latest.get()))
                    : modelConfig.withTokens(hnt[0]);
        }
        try (NativeTok tokenizer = NativeTok.create(startConfig, chosen)) {
            stdout.printf(Locale.ROOT, "Model: %s %s%n", tokenizer, tokenizer.parameterCounts());
            List<Evaluation> evaluations;
            Evaluation last;
            if (hnt != null) {
                try (HierarchicalTraining schedule = newSchedule(tokenizer, trainingConfig, stdout)) {
                    if (resuming) {
                        load(latest.get(), checkpoints, () -> schedule.load(latest.get()));
                        stdout.printf("Resumed from %s at step %d%n", latest.get(), schedule.trainer().stepCount());
                    }
                    addListeners(schedule.trainer(), checkpoints, evaluation);
                    evaluations = schedule.fit(train, evaluation);
                    last = evaluations.isEmpty() ? schedule.evaluate(evaluation) : evaluations.get(evaluations.size() - 1);
                }
            } else {
                try (TokenizerTrainer trainer = tokenizer.newTrainer(trainingConfig)) {
                    if (resuming) {
                        load(latest.get(), checkpoints, () -> trainer.load(latest.get()));
                        trainer.setConfig(trainingConfig);
                        stdout.printf("Resumed from %s at step %d%n", latest.get(), trainer.stepCount());
                    }
                    stdout.flush();
                    addListeners(trainer, checkpoints, evaluation);
                    evaluations = trainer.fit(train, evaluation);
                    last = evaluations.isEmpty() ? trainer.evaluate(evaluation) : evaluations.get(evaluations.size() - 1);
                }
            }
            tokenizer.save(out.resolve("tokenizer.ckpt"));
            writeFinalEvaluation(last, dataFolder);
            stdout.printf(Locale.ROOT, "Final evaluation on CIFAR-10 test records 0-999: %s%n", last.summary());
            stdout.printf("Wrote %s%n", out.toAbsolutePath());
        }
        return 0;
    }

    /**
     * Loads the newest checkpoint. When that fails, the error also names the checkpoint before it,
     * which --resume takes once the failing one is moved away.
     */
    private static void load(Path checkpoint, Path folder, Runnable loader) {
        try {
            loader.run();
        } catch (NativeTokException e) {
            List<Path> all = CheckpointListener.list(folder);
            int index = all.indexOf(checkpoint);
            String previous = index > 0
                    ? " To resume from the checkpoint before it, " + all.get(index - 1).getFileName()
                            + ", move " + checkpoint.getFileName() + " out of " + folder + " and run again."
                    : "";
            throw new NativeTokException(e.getMessage() + previous, e);
        }
    }

    /** Reads the training images, checking --train-images and the batch size against them. */
    private ImageSet trainingImages(Path dataFolder, TrainingConfig config) {
        ImageSet train = Cifar10.load(dataFolder, Cifar10.Split.TRAIN);
        if (trainImages != null) {
            if (trainImages < 1 || trainImages > train.size()) {
                throw new IllegalArgumentException(
                        "Invalid --train-images " + trainImages + ": expected 1 to " + train.size() + ".");
            }
            train = ImageSets.subset(train, 0, trainImages);
        }
        if (config.batchSize() > train.size()) {
            throw new IllegalArgumentException(
                    "Invalid batch size " + config.batchSize() + ": the training set has only " + train.size()
                            + " images. Pass --batch-size " + train.size() + " or less, or more --train-images.");
        }
        return train;
    }

    private HierarchicalTraining newSchedule(NativeTok tokenizer, TrainingConfig config, PrintWriter stdout) {
        int stages = hnt.length;
        int stage = hntStageSteps != null
                ? hntStageSteps
                : (int) Math.max(1, Math.floor(config.steps() / (stages + 0.25 * (stages - 1))));
        int fineTune = hntFineTuneSteps != null ? hntFineTuneSteps : stage / 4;
        HierarchicalTraining.validate(tokenizer, hnt, stage, fineTune);
        HierarchicalTraining schedule = new HierarchicalTraining(tokenizer, hnt, stage, fineTune, config);
        stdout.printf(Locale.ROOT, "HNT schedule %s: %d steps per stage, %d fine-tune steps per growth, %d in all%n",
                java.util.Arrays.toString(hnt), stage, fineTune, schedule.totalSteps());
        stdout.flush();
        return schedule;
    }

    /** Throws unless the model takes CIFAR-10's 32 x 32 images, the only data this command reads. */
    private void checkImageSize(NativeTokConfig model) {
        if (model.imageSize() != Cifar10.SIDE) {
            throw new IllegalArgumentException(
                    "Invalid image size " + model.imageSize() + " for preset '" + preset + "': the train command"
                            + " reads CIFAR-10, whose images are " + Cifar10.SIDE + " x " + Cifar10.SIDE
                            + ". Pass --preset tiny or cifar10, or train larger images through the API on an"
                            + " ImageFolder (docs/gpu.md).");
        }
    }

    private void checkSchedule(NativeTokConfig model) {
        if (hnt == null) {
            if (hntStageSteps != null || hntFineTuneSteps != null) {
                throw new IllegalArgumentException(
                        "--hnt-stage-steps and --hnt-fine-tune-steps need --hnt LIST, e.g. --hnt 8,16,32.");
            }
            return;
        }
        String schedule = java.util.Arrays.toString(hnt);
        if (hnt.length < 2) {
            throw new IllegalArgumentException(
                    "Invalid --hnt " + schedule + ": expected at least two token counts, e.g. --hnt 8,16,32"
                            + " for a model with 32 tokens.");
        }
        if (hnt[0] < 1) {
            throw new IllegalArgumentException(
                    "Invalid --hnt " + schedule + ": it starts at " + hnt[0] + " tokens, but expected 1 or more.");
        }
        for (int i = 1; i < hnt.length; i++) {
            if (hnt[i] <= hnt[i - 1]) {
                throw new IllegalArgumentException(
                        "Invalid --hnt " + schedule + ": token counts must increase, but " + hnt[i]
                                + " follows " + hnt[i - 1] + ".");
            }
        }
        int lastLength = hnt[hnt.length - 1];
        if (lastLength != model.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid --hnt " + schedule + ": it ends at " + lastLength
                            + " tokens but the model has " + model.tokens() + ". End the schedule at "
                            + model.tokens() + " or pass --set tokens=" + lastLength + ".");
        }
        if (model.encoder() != EncoderKind.NATIVETOK) {
            throw new IllegalArgumentException(
                    "Invalid --hnt with --encoder " + model.encoder().id()
                            + ": Hierarchical Native Training needs the nativetok encoder.");
        }
        if (hntStageSteps != null && hntStageSteps < 1) {
            throw new IllegalArgumentException(
                    "Invalid --hnt-stage-steps " + hntStageSteps + ": expected 1 or more.");
        }
        if (hntFineTuneSteps != null && hntFineTuneSteps < 0) {
            throw new IllegalArgumentException(
                    "Invalid --hnt-fine-tune-steps " + hntFineTuneSteps + ": expected 0 or more.");
        }
    }

    /** Rejects resuming an HNT checkpoint without --hnt, and a plain checkpoint with it. */
    private void checkScheduleOfCheckpoint(Path checkpoint) {
        String saved = NativeTok.readMeta(checkpoint).get("hnt.schedule");
        if (saved != null && hnt == null) {
            throw new IllegalArgumentException(
                    "Cannot resume " + checkpoint + " without --hnt: it was written by Hierarchical Native"
                            + " Training with schedule " + saved + ". Pass --hnt " + saved + ".");
        }
        if (saved == null && hnt != null) {
            throw new IllegalArgumentException(
                    "Cannot resume " + checkpoint + " with --hnt: it was written by a run without a"
                            + " schedule. Resume without --hnt, or start over with --force.");
        }
    }

    /**
     * Rejects an --out path that cannot be a folder: an existing file, or a path below a file.
     * Root can write into read-only folders, so only the creation of the folder is checked here.
     */
    private void checkOutputFolder() {
        Path absolute = out.toAbsolutePath();
        for (Path path = absolute; path != null; path = path.getParent()) {
            if (Files.exists(path) && !Files.isDirectory(path)) {
                throw new NativeTokException(
                        "Invalid --out " + out + ": " + path + " is a file, not a folder, so the output"
                                + " folder cannot be created there. Choose another --out.");
            }
        }
    }

    /** Checks, without changing anything, that --resume and --force fit what the folder contains. */
    private void checkExistingRun(Optional<Path> latest) {
        boolean hasRun = latest.isPresent() || Files.exists(out.resolve("config.json"));
        if (hasRun && !resume && !force) {
            throw new NativeTokException(
                    "Output folder " + out + " already contains a run. Pass --resume to continue it, --force"
                            + " to start over (its checkpoints and metrics are deleted), or choose another --out.");
        }
        if (resume && latest.isEmpty() && hasRun) {
            throw new NativeTokException(
                    "Cannot resume: " + out.resolve("checkpoints") + " contains no checkpoint. Start over"
                            + " with --force.");
        }
    }

    /**
     * Deletes the old run's checkpoints and metrics for --force, creates the folder, and deletes
     * a partial tokenizer.ckpt that a kill during the final save of an earlier run left.
     */
    private void prepareFolder() throws IOException {
        if (force) {
            for (Path old : CheckpointListener.list(out.resolve("checkpoints"))) {
                Files.deleteIfExists(old);
            }
            Files.deleteIfExists(out.resolve("metrics.csv"));
            Files.deleteIfExists(out.resolve("evaluations.csv"));
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new NativeTokException(
                    "Cannot create output folder " + out + ": " + e + ". Choose a writable --out.", e);
        }
        if (!Files.isWritable(out)) {
            throw new NativeTokException("Output folder " + out + " is not writable. Choose a writable --out.");
        }
        CheckpointListener.deletePartialFiles(out);
    }

    /**
     * Returns the model configuration. When resuming, model options that are not on the command
     * line take the checkpoint's values, and options that are given must agree with it.
     */
    private NativeTokConfig resolveModelConfig(Optional<Path> latest) {
        Map<String, String> modelOverrides = new LinkedHashMap<>();
        parseOverrides().forEach((key, value) -> {
            if (!key.startsWith("train.")) {
                modelOverrides.put(key, value);
            }
        });
        if (!(resume && latest.isPresent())) {
            return buildRequested(Preset.parse(preset).toBuilder(), modelOverrides);
        }

        NativeTokConfig saved = NativeTokConfig.fromMap(NativeTok.readHeaderConfig(latest.get()));
        // A mid-schedule HNT checkpoint has fewer tokens than the final model.
        NativeTokConfig comparable = hnt != null ? saved.withTokens(hnt[hnt.length - 1]) : saved;
        NativeTokConfig requested;
        if (isGiven("--preset")) {
            requested = buildRequested(Preset.parse(preset).toBuilder(), modelOverrides);
        } else {
            Map<String, String> values = new LinkedHashMap<>(comparable.toMap());
            if (isGiven("--encoder")) {
                values.put("encoder", encoder);
            }
            values.putAll(modelOverrides);
            requested = NativeTokConfig.fromMap(values);
        }
        List<String> differences = comparable.differences(requested);
        if (!differences.isEmpty()) {
            throw new NativeTokException(
                    "Cannot resume " + latest.get() + " with a different model; differing keys"
                            + " (checkpoint -> requested): " + String.join("; ", differences)
                            + ". Resume with the original options, or start over with --force.");
        }
        return comparable;
    }

    private NativeTokConfig buildRequested(NativeTokConfig.Builder builder, Map<String, String> overrides) {
        builder.encoder(EncoderKind.parse(encoder));
        overrides.forEach(builder::set);
        return builder.build();
    }

    private boolean isGiven(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private TrainingConfig resolveTrainingConfig(Optional<Path> latest, Preset base) {
        TrainingConfig start = TrainingConfig.forPreset(base);
        if (resume && latest.isPresent()) {
            // Settings added in later versions keep the preset's value.
            Map<String, String> saved = new LinkedHashMap<>(start.toMap());
            NativeTok.readMeta(latest.get()).forEach((key, value) -> {
                if (saved.containsKey(key)) {
                    saved.put(key, value);
                }
            });
            start = TrainingConfig.fromMap(saved);
        }
        TrainingConfig.Builder builder = start.toBuilder();
        if (steps != null) {
            builder.steps(steps);
        }
        if (batchSize != null) {
            builder.batchSize(batchSize);
        }
        if (learningRate != null) {
            builder.learningRate(learningRate);
        }
        if (tailDropout != null) {
            builder.tailDropout(tailDropout);
        }
        if (evaluateEvery != null || checkpointEvery != null) {
            TrainingConfig current = builder.build();
            builder.intervals(
                    evaluateEvery != null ? evaluateEvery : current.evaluateEvery(),
                    checkpointEvery != null ? checkpointEvery : current.checkpointEvery());
        }
        parseOverrides().forEach((key, value) -> {
            if (key.startsWith("train.")) {
                builder.set(key, value);
            }
        });
        return builder.build();
    }

    private Map<String, String> parseOverrides() {
        Map<String, String> map = new LinkedHashMap<>();
        for (String override : overrides) {
            int equals = override.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException(
                        "Invalid --set '" + override + "': expected KEY=VALUE, e.g. --set mit.depth=6.");
            }
            map.put(override.substring(0, equals).trim(), override.substring(equals + 1).trim());
        }
        return map;
    }

    private Path locateData() {
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return DataLocation.fromSystem()
                    .locateCifar10(
                            data,
                            offline,
                            (done, total) -> {
                                if (bar[0] == null) {
                                    bar[0] = ProgressBar.builder().label("download cifar10")
                                            .unit(ProgressBar.Unit.BYTES).total(total).build();
                                }
                                bar[0].onProgress(done, total);
                            });
        } finally {
            if (bar[0] != null) {
                bar[0].finish();
            }
        }
    }

    private void writeConfig(NativeTokConfig model, TrainingConfig training, PrintWriter stdout) {
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("model", model.toMap());
        resolved.put("training", training.toMap());
        resolved.put("device", device);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(resolved);
        writeFile(out.resolve("config.json"), json + "\n");
        stdout.println("Resolved configuration (saved to " + out.resolve("config.json") + "):");
        model.toMap().forEach((key, value) -> stdout.printf("  %-26s %s%n", key, value));
        training.toMap().forEach((key, value) -> stdout.printf("  %-26s %s%n", key, value));
        stdout.flush();
    }

    private void addListeners(TokenizerTrainer trainer, Path checkpoints, ImageSet evaluation) {
        PrintWriter stdout = spec.commandLine().getOut();
        trainer.addListener(new ProgressBarListener(System.err));
        trainer.addListener(new CsvMetricsListener(out));
        trainer.addListener(new CheckpointListener(checkpoints));
        trainer.addListener(new ReconstructionListener(out, evaluation, 10));
        trainer.addListener(new TrainingListener() {
            @Override
            public void onEvaluation(TokenizerTrainer t, Evaluation e) {
                stdout.printf(Locale.ROOT, "step %d: %s%n", e.step(), e.summary());
                stdout.flush();
            }
        });
    }

    private void writeFinalEvaluation(Evaluation evaluation, Path dataFolder) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("step", evaluation.step());
        result.put("images", evaluation.images());
        result.put("data", dataFolder.toAbsolutePath().toString() + " (CIFAR-10 test records 0-999)");
        result.put("psnr_db", evaluation.psnr());
        result.put("ssim", evaluation.ssim());
        result.put("mse", evaluation.mse());
        result.put("codebook_usage", evaluation.codebookUsage());
        result.put("perplexity", evaluation.perplexity());
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(result);
        writeFile(out.resolve("final-evaluation.json"), json + "\n");
    }

    private static void writeFile(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to write " + file + ": " + e + ". Check that the output folder is writable"
                            + " and the disk has space.",
                    e);
        }
    }
}
