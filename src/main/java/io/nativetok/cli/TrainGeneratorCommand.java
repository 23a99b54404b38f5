package io.nativetok.cli;

import com.google.gson.GsonBuilder;
import io.nativetok.generate.Generator;
import io.nativetok.generate.GeneratorCheckpointListener;
import io.nativetok.generate.GeneratorConfig;
import io.nativetok.generate.GeneratorCsvListener;
import io.nativetok.generate.GeneratorEvaluation;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.GeneratorListener;
import io.nativetok.generate.GeneratorPreset;
import io.nativetok.generate.GeneratorProgressListener;
import io.nativetok.generate.GeneratorTrainer;
import io.nativetok.generate.Generators;
import io.nativetok.generate.TokenDataset;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
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
 * {@code nativetok train-generator}: trains an autoregressive or MaskGIT generator on a token data
 * set and writes {@code config.json}, {@code metrics.csv}, {@code evaluations.csv}, resumable
 * checkpoints in {@code checkpoints/} and the final {@code generator.ckpt} into one folder.
 */
@Command(
        name = "train-generator",
        mixinStandardHelpOptions = true,
        description = "Train an AR or MaskGIT generator on a token data set (resumable; see --resume).")
public final class TrainGeneratorCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(names = "--kind", paramLabel = "KIND", required = true, description = "Generator: ar or maskgit.")
    private String kind;

    @Option(names = "--tokens", paramLabel = "FILE", required = true,
            description = "Training token data set from `nativetok tokenize`.")
    private Path tokens;

    @Option(names = "--validation", paramLabel = "FILE",
            description = "Validation token data set from the same tokenizer, e.g. the test split.")
    private Path validation;

    @Option(names = "--tokenizer", paramLabel = "CKPT",
            description = "Tokenizer checkpoint; when given, the token files must have been made by it.")
    private Path tokenizer;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder of the run.")
    private Path out;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "cifar10",
            description = "Model size and training defaults: tiny, cifar10 or imagenet256 (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--steps", paramLabel = "N", description = "Training steps (default: the preset's).")
    private Integer steps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Token rows per step (default: the preset's).")
    private Integer batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: the preset's).")
    private Float learningRate;

    @Option(names = "--eval-every", paramLabel = "N", description = "Steps between evaluations; 0 for only the end.")
    private Integer evaluateEvery;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints; 0 for only the end.")
    private Integer checkpointEvery;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a generator key (width, depth, heads, mlp-hidden, class-dropout, seed) or a"
                    + " training key (train.warmup-steps, ...).")
    private List<String> overrides = List.of();

    @Option(names = "--resume", description = "Continue from the newest checkpoint in DIR/checkpoints.")
    private boolean resume;

    @Option(names = "--force", description = "Start over in a folder that already contains a run.")
    private boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        GeneratorKind generatorKind = GeneratorKind.parse(kind);
        GeneratorPreset generatorPreset = GeneratorPreset.parse(preset);
        TokenDataset train = TokenDataset.load(tokens);
        TokenDataset validationSet = validation == null ? null : TokenDataset.load(validation);
        if (tokenizer != null) {
            try (NativeTok tok = NativeTok.load(tokenizer)) {
                train.checkTokenizer(tok, tokens);
                if (validationSet != null) {
                    validationSet.checkTokenizer(tok, validation);
                }
            }
        }

        Path checkpoints = out.resolve("checkpoints");
        Optional<Path> latest = CheckpointListener.latest(checkpoints);
        prepareFolder(latest);
        Map<String, String> parsed = parseOverrides();
        GeneratorConfig modelConfig = resolveModelConfig(generatorKind, generatorPreset, train, latest, parsed);
        TrainingConfig trainingConfig = resolveTrainingConfig(generatorPreset, latest, parsed);
        writeConfig(modelConfig, trainingConfig, stdout);

        try (Generator generator = Generators.create(modelConfig);
                GeneratorTrainer trainer = new GeneratorTrainer(generator, trainingConfig)) {
            stdout.printf(Locale.ROOT, "Generator: %s, %d parameters; %d training rows%n",
                    modelConfig.kind().id(), generator.parameterCount(), train.size());
            if (latest.isPresent() && resume) {
                trainer.load(latest.get());
                trainer.setConfig(trainingConfig);
                stdout.printf("Resumed from %s at step %d%n", latest.get(), trainer.stepCount());
            }
            stdout.flush();
            trainer.addListener(new GeneratorProgressListener(System.err));
            trainer.addListener(new GeneratorCsvListener(out));
            trainer.addListener(new GeneratorCheckpointListener(checkpoints));
            trainer.addListener(new GeneratorListener() {
                @Override
                public void onEvaluation(GeneratorTrainer t, GeneratorEvaluation e) {
                    stdout.printf(Locale.ROOT, "step %d: %s%n", e.step(), e.summary());
                    stdout.flush();
                }
            });
            trainer.fit(train, validationSet);
            trainer.save(out.resolve("generator.ckpt"));
            stdout.printf("Wrote %s%n", out.resolve("generator.ckpt").toAbsolutePath());
        }
        return 0;
    }

    private void prepareFolder(Optional<Path> latest) throws IOException {
        boolean hasRun = latest.isPresent() || Files.exists(out.resolve("config.json"));
        if (hasRun && !resume && !force) {
            throw new NativeTokException(
                    "Output folder " + out + " already contains a run. Pass --resume to continue it, --force to start"
                            + " over (its checkpoints and metrics are deleted), or choose another --out.");
        }
        if (resume && latest.isEmpty() && hasRun) {
            throw new NativeTokException(
                    "Cannot resume: " + out.resolve("checkpoints") + " contains no checkpoint. Start over with --force.");
        }
        if (force && !resume) {
            for (Path old : CheckpointListener.list(out.resolve("checkpoints"))) {
                Files.deleteIfExists(old);
            }
            Files.deleteIfExists(out.resolve("metrics.csv"));
            Files.deleteIfExists(out.resolve("evaluations.csv"));
        }
        Files.createDirectories(out);
    }

    private GeneratorConfig resolveModelConfig(
            GeneratorKind generatorKind, GeneratorPreset generatorPreset, TokenDataset train, Optional<Path> latest,
            Map<String, String> parsed) {
        GeneratorConfig.Builder builder = GeneratorConfig.builder(generatorKind, generatorPreset)
                .data(train.length(), train.codebookSize(), train.classCount());
        parsed.forEach((key, value) -> {
            if (!key.startsWith("train.")) {
                builder.set(key, value);
            }
        });
        GeneratorConfig requested = builder.build();
        if (resume && latest.isPresent()) {
            GeneratorConfig saved = Generators.readConfig(latest.get());
            List<String> differences = saved.differences(requested);
            if (!differences.isEmpty()) {
                throw new NativeTokException(
                        "Cannot resume " + latest.get() + " with a different generator; differing keys (checkpoint ->"
                                + " requested): " + String.join("; ", differences)
                                + ". Resume with the original options, or start over with --force.");
            }
            return saved;
        }
        return requested;
    }

    private TrainingConfig resolveTrainingConfig(
            GeneratorPreset generatorPreset, Optional<Path> latest, Map<String, String> parsed) {
        TrainingConfig start = GeneratorTrainer.defaults(generatorPreset);
        if (resume && latest.isPresent()) {
            Map<String, String> saved = new LinkedHashMap<>();
            Generators.readMeta(latest.get()).forEach((key, value) -> {
                if (key.startsWith("train.")) {
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
        if (evaluateEvery != null || checkpointEvery != null) {
            TrainingConfig current = builder.build();
            builder.intervals(
                    evaluateEvery != null ? evaluateEvery : current.evaluateEvery(),
                    checkpointEvery != null ? checkpointEvery : current.checkpointEvery());
        }
        parsed.forEach((key, value) -> {
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
                        "Invalid --set '" + override + "': expected KEY=VALUE, e.g. --set depth=8.");
            }
            map.put(override.substring(0, equals).trim(), override.substring(equals + 1).trim());
        }
        return map;
    }

    private void writeConfig(GeneratorConfig model, TrainingConfig training, PrintWriter stdout) throws IOException {
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("generator", model.toMap());
        resolved.put("training", training.toMap());
        resolved.put("tokens", tokens.toAbsolutePath().toString());
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(resolved);
        Files.writeString(out.resolve("config.json"), json + "\n", StandardCharsets.UTF_8);
        stdout.println("Resolved configuration (saved to " + out.resolve("config.json") + "):");
        model.toMap().forEach((key, value) -> stdout.printf("  %-26s %s%n", key, value));
        training.toMap().forEach((key, value) -> stdout.printf("  %-26s %s%n", key, value));
        stdout.flush();
    }
}
