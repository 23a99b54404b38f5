package io.nativetok.experiments;

import io.nativetok.data.ImageSet;
import io.nativetok.generate.Generator;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.SamplingOptions;
import io.nativetok.generate.TokenDataset;
import io.nativetok.metrics.FeatureNetwork;
import io.nativetok.metrics.ImageScores;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.train.TrainingConfig;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * MaskGIT sample quality against the number of sampling steps (4, 8, 12, 16, capped at the token
 * count), for NativeTok and TiTok tokens with the same generator budget.
 */
public final class MaskGitStepsExperiment implements Experiment {

    private static final int[] STEPS = {4, 8, 12, 16};
    private static final EncoderKind[] KINDS = {EncoderKind.NATIVETOK, EncoderKind.TITOK};

    @Override
    public String name() {
        return "maskgit-steps";
    }

    @Override
    public String description() {
        return "MaskGIT classifier FD and IS against 4, 8, 12 and 16 sampling steps, NativeTok and TiTok tokens";
    }

    @Override
    public void run(ExperimentContext context) {
        GenerationStages stages = new GenerationStages(context);
        Budget budget = stages.budget();
        Table table = Table.create("maskgit steps",
                StringColumn.create("tokenizer"), IntColumn.create("steps"),
                DoubleColumn.create("classifier_fd"), DoubleColumn.create("classifier_is"),
                DoubleColumn.create("milliseconds_per_image"));
        try (FeatureNetwork network = stages.featureNetwork()) {
            for (EncoderKind kind : KINDS) {
                String id = kind.id();
                NativeTokConfig config = context.preset().toBuilder().encoder(kind).build();
                TrainingConfig training =
                        TrainingConfig.forPreset(context.preset()).toBuilder().steps(budget.tokenizerSteps()).build();
                try (NativeTok tokenizer = context.trainTokenizer("tokenizer-" + id, config, training)) {
                    TokenDataset train = stages.tokens("tokens-" + id + "-train", tokenizer, context.train());
                    TokenDataset validation = stages.tokens("tokens-" + id + "-validation", tokenizer, context.evaluation());
                    try (Generator generator =
                            stages.generator("generator-" + id + "-maskgit", GeneratorKind.MASKGIT, train, validation)) {
                        for (int steps : STEPS) {
                            if (steps > tokenizer.tokens()) {
                                continue;
                            }
                            long start = System.nanoTime();
                            ImageSet samples = stages.sample("generator-" + id + "-maskgit, " + steps + " steps",
                                    generator, tokenizer, budget.generatedImages(), SamplingOptions.defaults().withSteps(steps));
                            double millis = (System.nanoTime() - start) / 1e6 / budget.generatedImages();
                            ImageScores.Scores scores = ImageScores.compare(network, context.evaluation(), samples);
                            table.stringColumn("tokenizer").append(id);
                            table.intColumn("steps").append(steps);
                            table.doubleColumn("classifier_fd").append(scores.classifierFd());
                            table.doubleColumn("classifier_is").append(scores.classifierIs());
                            table.doubleColumn("milliseconds_per_image").append(millis);
                        }
                    }
                }
            }
        }
        context.table("maskgit_steps", table);
        context.note("Classifier FD and IS use the kit's own CIFAR-10 classifier, not Inception; they are not FID."
                + " Step counts above the token count are skipped. Sampling time includes decoding.");
    }
}
