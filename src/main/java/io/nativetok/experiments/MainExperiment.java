package io.nativetok.experiments;

import ai.djl.ndarray.NDManager;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.generate.ArGenerator;
import io.nativetok.generate.Generator;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.GeneratorTrainer;
import io.nativetok.generate.SamplingOptions;
import io.nativetok.generate.TokenDataset;
import io.nativetok.metrics.FeatureNetwork;
import io.nativetok.metrics.ImageScores;
import io.nativetok.metrics.TokenMetrics;
import io.nativetok.plot.GeneratorPlots;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.train.Evaluation;
import io.nativetok.train.TrainingConfig;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The paper's main comparison at small scale: NativeTok, TiTok and causal-mask tokenizers at the
 * same token count and training budget, each followed by an autoregressive and a MaskGIT
 * generator with equal budgets.
 *
 * <p>Rows are tokenizer x generator. Reconstruction columns (PSNR, SSIM, classifier FD of
 * reconstructions, codebook usage) belong to the tokenizer and repeat on its two rows. The
 * generator columns are its validation cross-entropy in bits per token, and classifier FD and IS
 * of sampled images against the evaluation images. A second table gives the AR generator's mean
 * per-position cross-entropy and the mean overlap of the positions' 90% code sets.
 */
public final class MainExperiment implements Experiment {

    static final int MASKGIT_STEPS = 8;

    @Override
    public String name() {
        return "main";
    }

    @Override
    public String description() {
        return "NativeTok, TiTok and causal-mask tokenizers, each with an AR and a MaskGIT generator";
    }

    @Override
    public void run(ExperimentContext context) {
        GenerationStages stages = new GenerationStages(context);
        Budget budget = stages.budget();
        Table main = emptyMainTable();
        Table tokens = Table.create("token statistics",
                StringColumn.create("tokenizer"), DoubleColumn.create("ar_mean_cross_entropy_bits"),
                DoubleColumn.create("mean_marginal_entropy_bits"), DoubleColumn.create("mean_90pct_set_overlap"));
        Map<String, Table> crossEntropy = new LinkedHashMap<>();

        // All tokenizers train first, so that their reconstruction results (and the positions recipe,
        // which can reuse them) are available hours before the generators finish.
        for (EncoderKind kind : EncoderKind.values()) {
            try (NativeTok tokenizer = trainTokenizer(context, kind, budget)) {
                context.evaluate("tokenizer-" + kind.id(), tokenizer);
            }
        }
        try (FeatureNetwork network = stages.featureNetwork()) {
            for (EncoderKind kind : EncoderKind.values()) {
                String id = kind.id();
                try (NativeTok tokenizer = trainTokenizer(context, kind, budget)) {
                    Evaluation reconstruction = context.evaluate("tokenizer-" + id, tokenizer);
                    double reconstructionFd = reconstructionFd(network, tokenizer, context.evaluation());
                    TokenDataset train = stages.tokens("tokens-" + id + "-train", tokenizer, context.train());
                    TokenDataset validation = stages.tokens("tokens-" + id + "-validation", tokenizer, context.evaluation());

                    for (GeneratorKind generatorKind : GeneratorKind.values()) {
                        String generatorId = "generator-" + id + "-" + generatorKind.name().toLowerCase(Locale.ROOT);
                        try (Generator generator = stages.generator(generatorId, generatorKind, train, validation)) {
                            double bits = GeneratorTrainer.evaluate(generator, validation, 0).bitsPerToken();
                            SamplingOptions options = SamplingOptions.defaults().withSteps(
                                    Math.min(MASKGIT_STEPS, tokenizer.tokens()));
                            ImageSet samples = stages.sample(generatorId, generator, tokenizer, budget.generatedImages(), options);
                            ImageScores.Scores scores = ImageScores.compare(network, context.evaluation(), samples);
                            addRow(main, id, generatorKind, reconstruction, reconstructionFd, bits, scores);
                            if (generator instanceof ArGenerator ar) {
                                Table perPosition = TokenMetrics.perPositionCrossEntropy(ar, validation);
                                crossEntropy.put(id, perPosition);
                                TokenMetrics.Coverage coverage = TokenMetrics.coverage(ar, validation, 0.9);
                                tokens.stringColumn("tokenizer").append(id);
                                tokens.doubleColumn("ar_mean_cross_entropy_bits").append(
                                        perPosition.numberColumn("cross_entropy_bits").mean());
                                tokens.doubleColumn("mean_marginal_entropy_bits").append(
                                        perPosition.numberColumn("marginal_entropy_bits").mean());
                                tokens.doubleColumn("mean_90pct_set_overlap").append(coverage.meanOverlap());
                            }
                        }
                    }
                }
            }
        }
        context.table("main", main);
        context.table("token_statistics", tokens);
        context.table("per_position_cross_entropy", PositionsExperiment.stack(crossEntropy));
        context.chart("per_position_cross_entropy", GeneratorPlots.crossEntropyCurves(crossEntropy, true));
        context.note("Classifier FD and IS use the kit's own CIFAR-10 classifier (see feature-network.ckpt), not"
                + " Inception: they are not FID and not comparable with the paper's numbers. Reconstruction"
                + " columns belong to the tokenizer and repeat on its two rows. MaskGIT samples with "
                + MASKGIT_STEPS + " steps; all generators sample with temperature 1, no top-k and a CFG scale of "
                + SamplingOptions.defaults().cfgScale() + " (no guidance).");
    }

    /** Trains the tokenizer of {@code kind} at the recipe's budget, or loads it when it is finished. */
    static NativeTok trainTokenizer(ExperimentContext context, EncoderKind kind, Budget budget) {
        NativeTokConfig config = context.preset().toBuilder().encoder(kind).build();
        TrainingConfig training =
                TrainingConfig.forPreset(context.preset()).toBuilder().steps(budget.tokenizerSteps()).build();
        return context.trainTokenizer("tokenizer-" + kind.id(), config, training);
    }

    private static Table emptyMainTable() {
        return Table.create("main comparison",
                StringColumn.create("tokenizer"), StringColumn.create("generator"),
                DoubleColumn.create("psnr"), DoubleColumn.create("ssim"),
                DoubleColumn.create("reconstruction_classifier_fd"), DoubleColumn.create("codebook_usage"),
                DoubleColumn.create("validation_cross_entropy_bits"),
                DoubleColumn.create("generation_classifier_fd"), DoubleColumn.create("generation_classifier_is"));
    }

    private static void addRow(Table table, String tokenizer, GeneratorKind generator, Evaluation reconstruction,
            double reconstructionFd, double bits, ImageScores.Scores scores) {
        table.stringColumn("tokenizer").append(tokenizer);
        table.stringColumn("generator").append(generator.name().toLowerCase(Locale.ROOT));
        table.doubleColumn("psnr").append(reconstruction.psnr());
        table.doubleColumn("ssim").append(reconstruction.ssim());
        table.doubleColumn("reconstruction_classifier_fd").append(reconstructionFd);
        table.doubleColumn("codebook_usage").append(reconstruction.codebookUsage());
        table.doubleColumn("validation_cross_entropy_bits").append(bits);
        table.doubleColumn("generation_classifier_fd").append(scores.classifierFd());
        table.doubleColumn("generation_classifier_is").append(scores.classifierIs());
    }

    /** Returns the classifier FD between the evaluation images and their reconstructions. */
    static double reconstructionFd(FeatureNetwork network, NativeTok tokenizer, ImageSet images) {
        List<BufferedImage> decoded = new ArrayList<>();
        for (int from = 0; from < images.size(); from += 100) {
            int[] indices = IntStream.range(from, Math.min(images.size(), from + 100)).toArray();
            try (NDManager scope = tokenizer.manager().newSubManager()) {
                ImageSet batch = ImageSets.fromArray(tokenizer.reconstruct(ImageSets.toArray(scope, images, indices)));
                for (int i = 0; i < batch.size(); i++) {
                    decoded.add(ImageSets.toBufferedImage(batch, i));
                }
            }
        }
        return ImageScores.compare(network, images, ImageSets.fromImages(decoded)).classifierFd();
    }
}
