package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.train.TrainingConfig;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Each generator memorises the tokens of 32 real CIFAR-10 images (TINY tokenizer, 32 tokens each).
 *
 * <p>The bounds leave room for the ambiguity that stays in a memorised set: with class dropout the
 * null-class rows cannot tell images apart, and MaskGIT rows with nearly every token masked can
 * only guess among the images of their class.
 */
class GeneratorOverfitTest {

    private static final int STEPS = 300;

    private static double[] train(GeneratorKind kind) {
        TokenDataset data = TestTokens.thirtyTwoImages();
        GeneratorConfig config = GeneratorConfig.builder(kind, GeneratorPreset.TINY)
                .data(data.length(), data.codebookSize(), data.classCount()).build();
        TrainingConfig training = GeneratorTrainer.defaults(GeneratorPreset.TINY).toBuilder()
                .steps(STEPS).batchSize(32).build();
        int[] rows = IntStream.range(0, 32).toArray();
        try (Generator generator = Generators.create(config);
                GeneratorTrainer trainer = new GeneratorTrainer(generator, training)) {
            double first = trainer.step(data, rows).loss();
            double last = first;
            for (int i = 1; i < STEPS; i++) {
                last = trainer.step(data, rows).loss();
            }
            double validation = trainer.evaluate(data).crossEntropy();
            return new double[] {first, last, validation};
        }
    }

    @Test
    void arGeneratorMemorizesThirtyTwoImages() {
        double[] losses = train(GeneratorKind.AR);
        assertTrue(losses[2] < 0.3, "AR cross-entropy on its 32 training rows is " + losses[2]
                + " nats after " + STEPS + " steps (first step " + losses[0] + "), expected below 0.3");
    }

    @Test
    void maskGitMemorizesThirtyTwoImages() {
        double[] losses = train(GeneratorKind.MASKGIT);
        assertTrue(losses[2] < 1.0, "MaskGIT masked-token cross-entropy on its 32 training rows is " + losses[2]
                + " nats after " + STEPS + " steps (first step " + losses[0] + "), expected below 1.0");
    }
}
