package io.nativetok.experiments;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import io.nativetok.data.ImageSet;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.CheckpointListener;
import io.nativetok.train.CsvMetricsListener;
import io.nativetok.train.Evaluation;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.train.TrainingListener;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProgressBar;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.tablesaw.api.Table;

/**
 * What a recipe works with: its preset, data, output folder and the helpers that make every stage
 * resumable and every result a file.
 *
 * <p>Trained models are stored under the output folder; a stage whose final file exists is skipped
 * when the recipe runs again, and a stage that was interrupted resumes from its newest checkpoint.
 * Tables become CSV files, charts and pictures PNG files, and {@link #writeSummary} writes {@code
 * summary.md} with every table and the time each stage took.
 */
public final class ExperimentContext {

    private static final Logger logger = LoggerFactory.getLogger(ExperimentContext.class);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
    /** The layout of a tokenizer folder's config.json: part ("model", "training") to settings. */
    private static final TypeToken<Map<String, Map<String, String>>> RECORDED_SETTINGS = new TypeToken<>() { };

    private final String experiment;
    private final Preset preset;
    private final Budget budget;
    private final Path out;
    private final ImageSet train;
    private final ImageSet evaluation;
    private final PrintStream log;
    private final Path tokenizersFrom;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Double> stageMinutes = new LinkedHashMap<>();

    ExperimentContext(String experiment, Preset preset, Budget budget, Path out, ImageSet train,
            ImageSet evaluation, PrintStream log, Path tokenizersFrom) {
        this.experiment = experiment;
        this.preset = preset;
        this.budget = budget;
        this.out = out;
        this.train = train;
        this.evaluation = evaluation;
        this.log = log;
        this.tokenizersFrom = tokenizersFrom;
        if (tokenizersFrom != null) {
            notes.add("The tokenizers were not trained here: they were loaded from `" + tokenizersFrom
                    + "`, where the same configuration and training budget produced them.");
        }
    }

    /** Returns the preset the recipe runs at. */
    public Preset preset() {
        return preset;
    }

    /** Returns the budget: the preset's, or the one the run was given. */
    public Budget budget() {
        return budget;
    }

    /** Returns the output folder. */
    public Path out() {
        return out;
    }

    /** Returns the training images. */
    public ImageSet train() {
        return train;
    }

    /** Returns the evaluation images (CIFAR-10 test records 0-999 for the CIFAR presets). */
    public ImageSet evaluation() {
        return evaluation;
    }

    /** Returns the experiment's name, e.g. {@code main}. */
    String experiment() {
        return experiment;
    }

    /** Returns the stream for progress lines. */
    public PrintStream log() {
        return log;
    }

    /**
     * Returns a progress bar on the log, labelled with the experiment and {@code stage}. Close it
     * when the stage ends.
     */
    ProgressBar progressBar(String stage, long total) {
        return ProgressBar.builder().label(experiment + " " + stage).total(total).out(log).build();
    }

    /**
     * Trains a tokenizer into {@code out/<id>/}, or loads it when that folder already holds the
     * finished model; an interrupted run resumes from its newest checkpoint.
     *
     * @return the trained tokenizer; the caller closes it
     */
    public NativeTok trainTokenizer(String id, NativeTokConfig config, TrainingConfig training) {
        if (tokenizersFrom != null) {
            return reuseTokenizer(id, config, training);
        }
        Path folder = out.resolve(id);
        Path finished = folder.resolve("tokenizer.ckpt");
        if (Files.isRegularFile(finished)) {
            log.printf("[%s] %s: loading the finished tokenizer %s%n", experiment, id, finished);
            return NativeTok.load(finished);
        }
        long start = System.nanoTime();
        NativeTok tokenizer = NativeTok.create(config);
        try (TokenizerTrainer trainer = tokenizer.newTrainer(training)) {
            Optional<Path> latest = CheckpointListener.latest(folder.resolve("checkpoints"));
            if (latest.isPresent()) {
                checkResumable(id, latest.get(), config, training);
                trainer.load(latest.get());
                log.printf("[%s] %s: resuming at step %d%n", experiment, id, trainer.stepCount());
            } else {
                log.printf("[%s] %s: no checkpoint in %s, training from step 0%n", experiment, id,
                        folder.resolve("checkpoints"));
            }
            trainer.addListener(new CsvMetricsListener(folder));
            trainer.addListener(new CheckpointListener(folder.resolve("checkpoints")));
            trainer.addListener(progressListener(() -> id));
            trainer.fit(train, null);
            tokenizer.save(finished);
            writeJson(folder.resolve("config.json"), Map.of("model", config.toMap(), "training", training.toMap()));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        recordStage("train " + id, start);
        return tokenizer;
    }

    /** Settings that change when a trainer evaluates or saves, never the weights it trains. */
    private static final Set<String> SCHEDULE_ONLY_KEYS =
            Set.of("train.evaluate-every", "train.checkpoint-every", "train.keep-checkpoints");

    /**
     * Checks that a checkpoint in a tokenizer's folder was written with the recipe's model and
     * training settings before resuming from it, since a checkpoint can also come from
     * {@code nativetok train} with other settings.
     */
    private void checkResumable(String id, Path checkpoint, NativeTokConfig config, TrainingConfig training) {
        checkSettings(id, checkpoint, "model", config.toMap(), NativeTok.readHeaderConfig(checkpoint));
        Map<String, String> expected = new LinkedHashMap<>(training.toMap());
        expected.keySet().removeAll(SCHEDULE_ONLY_KEYS);
        checkSettings(id, checkpoint, "training", expected, NativeTok.readMeta(checkpoint));
    }

    private void checkSettings(String id, Path checkpoint, String part, Map<String, String> expected,
            Map<String, String> found) {
        firstDifference(expected, found).ifPresent(key -> {
            throw new NativeTokException("Cannot resume tokenizer '" + id + "' from " + checkpoint + ": it was"
                    + " written with " + part + " setting " + key + " = " + found.get(key) + ", but this"
                    + " recipe at preset " + preset.id() + " trains with " + expected.get(key) + ". Move the"
                    + " checkpoints of other settings out of " + checkpoint.getParent() + ".");
        });
    }

    /** Returns the first key of {@code expected} that {@code found} lacks or maps to another value. */
    private static Optional<String> firstDifference(Map<String, String> expected, Map<String, String> found) {
        return expected.keySet().stream()
                .filter(key -> !expected.get(key).equals(found.get(key)))
                .findFirst();
    }

    /**
     * Loads the finished tokenizer {@code id} of another recipe's folder, after checking that it was
     * trained with exactly {@code config} and {@code training}.
     */
    private NativeTok reuseTokenizer(String id, NativeTokConfig config, TrainingConfig training) {
        Path folder = tokenizersFrom.resolve(id);
        Path finished = folder.resolve("tokenizer.ckpt");
        Path recorded = folder.resolve("config.json");
        if (!Files.isDirectory(folder)) {
            Map<?, ?> marker = Experiments.readMarker(tokenizersFrom);
            throw new NativeTokException("Cannot reuse tokenizer '" + id + "' from " + tokenizersFrom + ": the"
                    + " experiment there ('" + marker.get("experiment") + "') has no folder " + id + ", because it"
                    + " does not train that tokenizer. Give the --out folder of a main or positions run.");
        }
        if (!Files.isRegularFile(finished) || !Files.isRegularFile(recorded)) {
            throw new NativeTokException("Cannot reuse tokenizer '" + id + "' from " + tokenizersFrom + ": "
                    + finished + " does not exist yet, so the recipe there has not finished training it. Let that"
                    + " recipe finish first, or run without --tokenizers-from to train the tokenizers here.");
        }
        Map<String, Map<String, String>> found;
        try {
            found = GSON.fromJson(Files.readString(recorded), RECORDED_SETTINGS);
        } catch (IOException | RuntimeException e) {
            throw new NativeTokException("Failed to read " + recorded + ": " + e.getMessage()
                    + ". Reuse tokenizers only from a folder written by `nativetok reproduce`.", e);
        }
        Map<String, Map<String, String>> expected = Map.of("model", config.toMap(), "training", training.toMap());
        for (String part : List.of("model", "training")) {
            Map<String, String> want = expected.get(part);
            Map<String, String> have = found == null ? Map.of() : found.getOrDefault(part, Map.of());
            firstDifference(want, have).ifPresent(key -> {
                throw new NativeTokException("Cannot reuse tokenizer '" + id + "' from " + tokenizersFrom
                        + ": it was trained with " + part + " setting " + key + " = " + have.get(key)
                        + ", but this recipe at preset " + preset.id() + " needs " + want.get(key)
                        + ". Reuse tokenizers of a recipe run at the same preset, or train them here.");
            });
        }
        log.printf("[%s] %s: reusing the finished tokenizer %s%n", experiment, id, finished);
        return NativeTok.load(finished);
    }

    /**
     * Evaluates a tokenizer once and caches the result in {@code out/<id>/evaluation.json}.
     */
    public Evaluation evaluate(String id, NativeTok tokenizer) {
        Path file = out.resolve(id).resolve("evaluation.json");
        if (Files.isRegularFile(file)) {
            try {
                return GSON.fromJson(Files.readString(file), Evaluation.class);
            } catch (IOException e) {
                throw new NativeTokException("Failed to read " + file + ": " + e.getMessage(), e);
            }
        }
        Evaluation result = TokenizerTrainer.evaluate(tokenizer, evaluation, 0);
        writeJson(file, result);
        return result;
    }

    /**
     * Returns a listener that draws a progress bar on the log for each {@code fit} of a trainer,
     * labelled with the experiment and {@code stage}, which is read when a bar starts.
     */
    TrainingListener progressListener(Supplier<String> stage) {
        return new TrainingListener() {
            private ProgressBar bar;

            @Override
            public void onStep(TokenizerTrainer trainer, io.nativetok.train.StepMetrics metrics) {
                if (bar == null) {
                    bar = progressBar(stage.get(), trainer.segmentEnd());
                    bar.startAt(metrics.step());
                }
                bar.update(metrics.step(), metrics.summary());
            }

            @Override
            public void onEnd(TokenizerTrainer trainer) {
                if (bar != null) {
                    bar.finish();
                    bar = null;
                }
            }
        };
    }

    /** Records a table for the summary and writes it as {@code <name>.csv}. */
    public void table(String name, Table table) {
        tables.put(name, table);
        try {
            table.write().csv(out.resolve(name + ".csv").toFile());
        } catch (RuntimeException e) {
            throw new NativeTokException("Failed to write " + out.resolve(name + ".csv") + ": " + e.getMessage(), e);
        }
    }

    /** Writes a chart as {@code <name>.png}. */
    public void chart(String name, Chart<?, ?> chart) {
        picture(name, BitmapEncoder.getBufferedImage(chart));
    }

    /** Writes a picture as {@code <name>.png}. */
    public void picture(String name, BufferedImage image) {
        Path file = out.resolve(name + ".png");
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new NativeTokException("Failed to write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Adds a paragraph to the summary, e.g. how to read a table. */
    public void note(String text) {
        notes.add(text);
    }

    /** Records the wall time of a stage that started at {@code startNanos}. */
    public void recordStage(String stage, long startNanos) {
        double minutes = (System.nanoTime() - startNanos) / 6e10;
        stageMinutes.put(stage, minutes);
        logger.info("{}: {} took {} min", experiment, stage, formatMinutes(minutes));
    }

    /** Returns the tables recorded so far, by name. */
    public Map<String, Table> tables() {
        return tables;
    }

    /** Formats minutes with one decimal, or with two significant digits below 0.1 (TINY stages). */
    private static String formatMinutes(double minutes) {
        return minutes >= 0.1 ? String.format(Locale.ROOT, "%.1f", minutes) : String.format(Locale.ROOT, "%.2g", minutes);
    }

    /** Writes {@code summary.md}: the command, the tables, the notes and the stage times. */
    void writeSummary(String command) {
        StringBuilder text = new StringBuilder();
        text.append("# ").append(experiment).append(" at preset ").append(preset.id()).append("\n\n");
        text.append("Command: `").append(command).append("`\n\n");
        String changed = budget.differencesFrom(Budget.forPreset(preset));
        text.append("Budget: ").append(changed.isEmpty() ? "the preset's" : "the preset's, except " + changed)
                .append(" (").append(budget.toMap().toString().replace("{", "").replace("}", "")).append(")\n\n");
        int processors = Runtime.getRuntime().availableProcessors();
        text.append("Machine: ").append(processors).append(processors == 1 ? " CPU thread, " : " CPU threads, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(", Java ").append(System.getProperty("java.version")).append("\n\n");
        for (Map.Entry<String, Table> entry : tables.entrySet()) {
            text.append("## ").append(entry.getKey()).append("\n\n").append(Markdown.table(entry.getValue())).append('\n');
        }
        for (String note : notes) {
            text.append(note).append("\n\n");
        }
        if (!stageMinutes.isEmpty()) {
            text.append("## Wall time of the stages run now\n\n| stage | minutes |\n| --- | --- |\n");
            stageMinutes.forEach((stage, minutes) ->
                    text.append("| ").append(stage).append(" | ").append(formatMinutes(minutes)).append(" |\n"));
            text.append('\n');
        }
        try {
            Files.writeString(out.resolve("summary.md"), text.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeTokException("Failed to write " + out.resolve("summary.md") + ": " + e.getMessage(), e);
        }
    }

    static void writeJson(Path file, Object value) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, GSON.toJson(value) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeTokException("Failed to write " + file + ": " + e.getMessage(), e);
        }
    }
}
