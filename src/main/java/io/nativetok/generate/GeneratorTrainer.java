package io.nativetok.generate;

import io.nativetok.nn.GradMode;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.nativetok.data.BatchSampler;
import io.nativetok.train.Optimization;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Trains a {@link Generator} step by step, or for a whole run with {@link #fit}.
 *
 * <p>Each {@link #step} does one AdamW update through the shared {@link Optimization} and returns
 * its {@link GeneratorStepMetrics}. The random choices of step s (class dropout, MaskGIT's masks)
 * come from a generator seeded by the training seed and s, so a run resumed with {@link #load}
 * continues exactly as the uninterrupted run would. {@link #save} stores parameters, optimizer
 * moments, step, data-order position and the token data set's tokenizer identity and class names.
 */
public final class GeneratorTrainer implements AutoCloseable {

    /** Metadata key of the tokenizer identity in generator checkpoints. */
    public static final String TOKENIZER_IDENTITY = "data.tokenizer-identity";

    /** Metadata key of the class names (a JSON list) in generator checkpoints. */
    public static final String CLASS_NAMES = "data.class-names";

    private static final int EVALUATION_BATCH = 256;
    private static final long EVALUATION_SEED = 0x5EEDL;
    private static final Gson GSON = new Gson();

    private final Generator generator;
    private final Optimization optimization;
    private final List<GeneratorListener> listeners = new ArrayList<>();
    private final Map<String, String> dataMeta = new LinkedHashMap<>();
    private BatchSampler sampler;
    private BatchSampler.Position pendingPosition;

    /** Creates a trainer; close it before the generator. */
    public GeneratorTrainer(Generator generator, TrainingConfig config) {
        this.generator = generator;
        this.optimization = new Optimization(generator.block(), generator.manager(), config);
    }

    /**
     * Returns the default optimisation settings for a preset: AdamW with betas 0.9 and 0.95 and
     * weight decay 0.05 as in LlamaGen, linear warm-up and cosine decay to a tenth of the peak.
     */
    public static TrainingConfig defaults(GeneratorPreset preset) {
        return switch (preset) {
            case TINY -> new TrainingConfig(32, 300, 2e-3f, 2e-4f, 20, 0.0f, 0.9f, 0.95f, 1f, 100, 100, 2, 0, 0f, 0);
            case CIFAR10 -> new TrainingConfig(64, 10_000, 5e-4f, 5e-5f, 500, 0.05f, 0.9f, 0.95f, 1f, 1000, 1000, 3, 0, 0f, 0);
            case IMAGENET256 ->
                    new TrainingConfig(256, 300_000, 1e-4f, 1e-5f, 5000, 0.05f, 0.9f, 0.95f, 1f, 10_000, 5000, 3, 0, 0f, 0);
        };
    }

    /** Adds a listener for {@link #fit}. */
    public GeneratorTrainer addListener(GeneratorListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Runs one training step on a batch.
     *
     * @param tokens {@code int[B][L]} ids in {@code [0, K)}
     * @param classes B class ids in {@code [0, C)}
     */
    public GeneratorStepMetrics step(int[][] tokens, int[] classes) {
        checkBatch(tokens, classes);
        try (NDManager scope = generator.manager().newSubManager()) {
            long[] labels = new long[classes.length];
            for (int b = 0; b < classes.length; b++) {
                labels[b] = classes[b];
            }
            return step(ArGenerator.toArray(scope, tokens), scope.create(labels));
        }
    }

    /** Runs one training step on rows {@code rows} of {@code data}. */
    public GeneratorStepMetrics step(TokenDataset data, int[] rows) {
        checkData(data);
        try (NDManager scope = generator.manager().newSubManager()) {
            return step(data.tokenArray(scope, rows), data.labelArray(scope, rows));
        }
    }

    private GeneratorStepMetrics step(NDArray tokens, NDArray classes) {
        long start = System.nanoTime();
        SplittableRandom random = stepRandom(optimization.step() + 1);
        Generator.BatchLoss[] output = new Generator.BatchLoss[1];
        Optimization.Update update =
                optimization.apply(
                        () -> {
                            output[0] = generator.loss(tokens, classes, random, true);
                            return new Optimization.Losses(output[0].loss(), Map.of());
                        });
        double accuracy = output[0].correct().getFloat() / (double) output[0].predicted();
        double milliseconds = (System.nanoTime() - start) / 1e6;
        return new GeneratorStepMetrics(
                update.step(), update.losses().get("loss"), accuracy,
                output[0].predicted() * 1000.0 / milliseconds, update.gradientNorm(), update.learningRate(),
                milliseconds);
    }

    private SplittableRandom stepRandom(long step) {
        return new SplittableRandom(optimization.config().seed() ^ (step * 0x9E3779B97F4A7C15L));
    }

    /**
     * Measures the validation cross-entropy on every row of {@code data}, each sample with its own
     * class. MaskGIT's masks come from a fixed seed, so repeated evaluations use the same masks.
     */
    public GeneratorEvaluation evaluate(TokenDataset data) {
        return evaluate(generator, data, optimization.step());
    }

    /** Measures any generator's validation cross-entropy on {@code data}. */
    public static GeneratorEvaluation evaluate(Generator generator, TokenDataset data, long step) {
        try (GradMode off = GradMode.off()) {
            return evaluateWithoutGrad(generator, data, step);
        }
    }

    private static GeneratorEvaluation evaluateWithoutGrad(Generator generator, TokenDataset data, long step) {
        checkData(generator.config(), data);
        SplittableRandom random = new SplittableRandom(EVALUATION_SEED);
        double lossSum = 0;
        double correct = 0;
        long predicted = 0;
        for (int from = 0; from < data.size(); from += EVALUATION_BATCH) {
            int[] rows = IntStream.range(from, Math.min(data.size(), from + EVALUATION_BATCH)).toArray();
            try (NDManager scope = generator.manager().newSubManager()) {
                Generator.BatchLoss loss =
                        generator.loss(data.tokenArray(scope, rows), data.labelArray(scope, rows), random, false);
                lossSum += loss.loss().getFloat() * loss.predicted();
                correct += loss.correct().getFloat();
                predicted += loss.predicted();
            }
        }
        return new GeneratorEvaluation(step, data.size(), lossSum / predicted, correct / predicted);
    }

    /**
     * Trains until the configured number of steps, evaluating and checkpointing through the
     * listeners at the configured intervals. Resumes the data order after {@link #load}.
     *
     * @param validation token rows for periodic evaluation, or null for none
     * @return the evaluations made, the last one after the final step
     */
    public List<GeneratorEvaluation> fit(TokenDataset train, TokenDataset validation) {
        checkData(train);
        if (validation != null) {
            checkData(validation);
            if (!validation.tokenizerIdentity().equals(train.tokenizerIdentity())) {
                throw new NativeTokException(
                        "The validation tokens were made by another tokenizer than the training tokens"
                                + " (identities " + TokenDataset.shortIdentity(validation.tokenizerIdentity()) + " and "
                                + TokenDataset.shortIdentity(train.tokenizerIdentity())
                                + "). Tokenize both splits with the same tokenizer.");
            }
        }
        describeData(train);
        TrainingConfig config = optimization.config();
        int batch = Math.min(config.batchSize(), train.size());
        if (sampler == null || sampler.size() != train.size() || sampler.batchSize() != batch
                || sampler.seed() != config.seed()) {
            // A second fit on the same data continues the data order; anything else starts it anew.
            sampler = new BatchSampler(train.size(), batch, config.seed());
        }
        if (pendingPosition != null) {
            sampler.restore(pendingPosition);
            pendingPosition = null;
        }
        List<GeneratorEvaluation> evaluations = new ArrayList<>();
        while (optimization.step() < config.steps()) {
            GeneratorStepMetrics metrics = step(train, sampler.next());
            listeners.forEach(l -> l.onStep(this, metrics));
            long done = metrics.step();
            boolean last = done == config.steps();
            if (validation != null && (last || isDue(done, config.evaluateEvery()))) {
                GeneratorEvaluation result = evaluate(validation);
                evaluations.add(result);
                listeners.forEach(l -> l.onEvaluation(this, result));
            }
            if (last || isDue(done, config.checkpointEvery())) {
                listeners.forEach(l -> l.onCheckpoint(this));
            }
        }
        listeners.forEach(l -> l.onEnd(this));
        return evaluations;
    }

    private static boolean isDue(long step, int every) {
        return every > 0 && step % every == 0;
    }

    /** Records the data set's tokenizer identity and class names, which {@link #save} stores. */
    public void describeData(TokenDataset data) {
        checkData(data);
        String identity = dataMeta.get(TOKENIZER_IDENTITY);
        if (identity != null && !identity.equals(data.tokenizerIdentity())) {
            throw new NativeTokException(
                    "Token data set made by tokenizer " + TokenDataset.shortIdentity(data.tokenizerIdentity())
                            + " cannot continue a generator trained on tokenizer "
                            + TokenDataset.shortIdentity(identity)
                            + ". Use tokens from the same tokenizer, or start a new generator.");
        }
        dataMeta.put(TOKENIZER_IDENTITY, data.tokenizerIdentity());
        dataMeta.put(CLASS_NAMES, GSON.toJson(data.classNames()));
    }

    /** Returns class names stored in generator metadata by {@link #save}; empty when absent. */
    public static List<String> classNames(Map<String, String> meta) {
        String json = meta.get(CLASS_NAMES);
        if (json == null) {
            return List.of();
        }
        return GSON.fromJson(json, new TypeToken<List<String>>() {}.getType());
    }

    private void checkData(TokenDataset data) {
        checkData(generator.config(), data);
    }

    private static void checkData(GeneratorConfig config, TokenDataset data) {
        if (data.length() != config.tokens() || data.codebookSize() != config.codebookSize()
                || data.classCount() != config.classes()) {
            throw new IllegalArgumentException(
                    "Token data set of " + data.length() + " tokens, codebook size " + data.codebookSize() + " and "
                            + data.classCount() + " classes does not fit a generator for " + config.tokens()
                            + " tokens, codebook size " + config.codebookSize() + " and " + config.classes()
                            + " classes. Build the generator with GeneratorConfig.Builder.data(...) from this set.");
        }
    }

    private void checkBatch(int[][] tokens, int[] classes) {
        GeneratorConfig config = generator.config();
        if (tokens.length == 0 || tokens.length != classes.length) {
            throw new IllegalArgumentException(
                    "Invalid batch: " + tokens.length + " token rows and " + classes.length
                            + " classes; expected the same number, at least 1.");
        }
        for (int b = 0; b < tokens.length; b++) {
            if (tokens[b].length != config.tokens()) {
                throw new IllegalArgumentException(
                        "Invalid token row " + b + " of " + tokens[b].length + " ids: expected " + config.tokens() + ".");
            }
            for (int id : tokens[b]) {
                if (id < 0 || id >= config.codebookSize()) {
                    throw new IllegalArgumentException(
                            "Invalid token id " + id + " in row " + b + ": expected 0 to " + (config.codebookSize() - 1) + ".");
                }
            }
            if (classes[b] < 0 || classes[b] >= config.classes()) {
                throw new IllegalArgumentException(
                        "Invalid class id " + classes[b] + " in row " + b + ": expected 0 to " + (config.classes() - 1) + ".");
            }
        }
    }

    /** Saves parameters, optimizer state, step, data position and data description, atomically. */
    public void save(Path path) {
        Map<String, String> meta = new LinkedHashMap<>(optimization.meta());
        meta.putAll(optimization.config().toMap());
        meta.putAll(dataMeta);
        BatchSampler.Position position = sampler != null ? sampler.position() : pendingPosition;
        if (position != null) {
            meta.put("data.epoch", String.valueOf(position.epoch()));
            meta.put("data.offset", String.valueOf(position.offset()));
        }
        generator.save(path, meta, optimization.state());
    }

    /**
     * Restores a checkpoint written by {@link #save}: parameters, optimizer state, step, data
     * position and data description. The generator must have the checkpoint's configuration.
     */
    public void load(Path path) {
        Map<String, NDArray> state = generator.loadParameters(path);
        Map<String, String> meta = Generators.readMeta(path);
        optimization.restore(state, meta);
        dataMeta.clear();
        for (String key : List.of(TOKENIZER_IDENTITY, CLASS_NAMES)) {
            if (meta.containsKey(key)) {
                dataMeta.put(key, meta.get(key));
            }
        }
        if (meta.containsKey("data.epoch")) {
            pendingPosition = new BatchSampler.Position(
                    Long.parseLong(meta.get("data.epoch")), Integer.parseInt(meta.get("data.offset")));
        }
        sampler = null;
    }

    /** Returns the number of completed steps. */
    public long stepCount() {
        return optimization.step();
    }

    /** Returns the training configuration. */
    public TrainingConfig config() {
        return optimization.config();
    }

    /** Replaces the training configuration (e.g. more steps); the step count is kept. */
    public void setConfig(TrainingConfig config) {
        optimization.setConfig(config);
    }

    /** Returns the generator being trained. */
    public Generator generator() {
        return generator;
    }

    @Override
    public void close() {
        optimization.close();
    }
}
