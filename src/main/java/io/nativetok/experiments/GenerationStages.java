package io.nativetok.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.generate.Generator;
import io.nativetok.generate.GeneratorCheckpointListener;
import io.nativetok.generate.GeneratorConfig;
import io.nativetok.generate.GeneratorCsvListener;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.GeneratorPreset;
import io.nativetok.generate.GeneratorProgressListener;
import io.nativetok.generate.GeneratorTrainer;
import io.nativetok.generate.Generators;
import io.nativetok.generate.SamplingOptions;
import io.nativetok.generate.TokenDataset;
import io.nativetok.metrics.FeatureNetwork;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.ProgressBar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cached stages of the generation experiments: the feature network, token data sets, trained
 * generators and sampled images. Each stage writes its result under the experiment's folder and is
 * loaded instead of repeated when the file exists.
 */
final class GenerationStages {

    private static final int TOKENIZE_BATCH = 100;
    private static final int SAMPLE_BATCH = 50;

    private final ExperimentContext context;
    private final Budget budget;

    GenerationStages(ExperimentContext context) {
        this.context = context;
        this.budget = context.budget();
    }

    /** Returns the feature network behind classifier FD, training it on the first call. */
    FeatureNetwork featureNetwork() {
        Path file = context.out().resolve("feature-network.ckpt");
        if (Files.isRegularFile(file)) {
            return FeatureNetwork.load(file);
        }
        long start = System.nanoTime();
        FeatureNetwork network = FeatureNetwork.train(
                FeatureNetwork.Config.cifar10(), context.train(), context.evaluation(),
                new FeatureNetwork.TrainingOptions(budget.classifierEpochs(), 64, 1e-3f, 0), context.log(),
                context.out().resolve("feature-network.training.ckpt"));
        network.save(file);
        context.recordStage("train feature network", start);
        return network;
    }

    /** Returns the token data set of {@code images} under {@code id}, tokenizing on the first call. */
    TokenDataset tokens(String id, NativeTok tokenizer, ImageSet images) {
        Path file = context.out().resolve(id + ".tokens");
        if (Files.isRegularFile(file)) {
            return TokenDataset.load(file, tokenizer);
        }
        long start = System.nanoTime();
        TokenDataset data;
        try (ProgressBar bar = context.progressBar("tokenize " + id, images.size())) {
            data = TokenDataset.tokenize(tokenizer, images, TOKENIZE_BATCH, bar);
        }
        data.save(file);
        context.recordStage("tokenize " + id, start);
        return data;
    }

    /** Returns a generator of {@code kind} trained on {@code train} under {@code id}, resuming when possible. */
    Generator generator(String id, GeneratorKind kind, TokenDataset train, TokenDataset validation) {
        Path folder = context.out().resolve(id);
        Path finished = folder.resolve("generator.ckpt");
        if (Files.isRegularFile(finished)) {
            return Generators.load(finished);
        }
        long start = System.nanoTime();
        GeneratorPreset preset = GeneratorPreset.parse(context.preset().id());
        GeneratorConfig config = GeneratorConfig.builder(kind, preset)
                .data(train.length(), train.codebookSize(), train.classCount())
                .build();
        TrainingConfig training = GeneratorTrainer.defaults(preset).toBuilder()
                .steps(budget.generatorSteps())
                .intervals(0, Math.max(1, budget.generatorSteps() / 10))
                .build();
        Generator generator = Generators.create(config);
        try (GeneratorTrainer trainer = new GeneratorTrainer(generator, training)) {
            java.util.Optional<Path> latest =
                    io.nativetok.train.CheckpointListener.latest(folder.resolve("checkpoints"));
            if (latest.isPresent()) {
                trainer.load(latest.get());
                context.log().printf("[%s] %s: resuming at step %d%n", context.experiment(), id, trainer.stepCount());
            }
            trainer.addListener(new GeneratorCsvListener(folder));
            trainer.addListener(new GeneratorCheckpointListener(folder.resolve("checkpoints")));
            trainer.addListener(new GeneratorProgressListener(context.log(), context.experiment() + " " + id));
            trainer.fit(train, validation);
            trainer.save(finished);
        } catch (RuntimeException e) {
            generator.close();
            throw e;
        }
        context.recordStage("train " + id, start);
        return generator;
    }

    /**
     * Samples {@code count} images, classes in round robin, and decodes them with the tokenizer. A
     * progress bar labelled with {@code id} shows the images done.
     */
    ImageSet sample(String id, Generator generator, NativeTok tokenizer, int count, SamplingOptions options) {
        List<java.awt.image.BufferedImage> images = new ArrayList<>();
        try (ProgressBar bar = context.progressBar("sample " + id, count)) {
            for (int from = 0; from < count; from += SAMPLE_BATCH) {
                sampleBatch(generator, tokenizer, from, Math.min(SAMPLE_BATCH, count - from), options, images);
                bar.onProgress(images.size(), count);
            }
        }
        return ImageSets.fromImages(images);
    }

    /** Samples {@code size} images starting at image {@code from} and appends them, decoded, to {@code images}. */
    private static void sampleBatch(Generator generator, NativeTok tokenizer, int from, int size, SamplingOptions options,
            List<java.awt.image.BufferedImage> images) {
        int classes = generator.config().classes();
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = (from + i) % classes;
        }
        int[][] ids = generator.sample(labels, options.withSeed(from));
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            ImageSet batch = ImageSets.fromArray(tokenizer.decode(ids, scope));
            for (int i = 0; i < batch.size(); i++) {
                images.add(ImageSets.toBufferedImage(batch, i));
            }
        }
    }

    Budget budget() {
        return budget;
    }
}
