package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GeneratorTrainerTest {

    @TempDir Path folder;

    private static GeneratorConfig config(GeneratorKind kind, TokenDataset data) {
        return GeneratorConfig.builder(kind, GeneratorPreset.TINY)
                .data(data.length(), data.codebookSize(), data.classCount()).build();
    }

    @ParameterizedTest
    @EnumSource(GeneratorKind.class)
    void resumeContinuesExactly(GeneratorKind kind) {
        TokenDataset data = TestTokens.thirtyTwoImages();
        TrainingConfig training = GeneratorTrainer.defaults(GeneratorPreset.TINY).toBuilder()
                .steps(10).batchSize(8).intervals(0, 0).build();
        Path file = folder.resolve(kind.id() + ".ckpt");
        double[] uninterrupted = new double[4];
        try (Generator generator = Generators.create(config(kind, data));
                GeneratorTrainer trainer = new GeneratorTrainer(generator, training.toBuilder().steps(6).build())) {
            trainer.fit(data, null);
            trainer.save(file);
            trainer.setConfig(training);
            List<Double> losses = new java.util.ArrayList<>();
            trainer.addListener(new GeneratorListener() {
                @Override
                public void onStep(GeneratorTrainer t, GeneratorStepMetrics m) {
                    losses.add(m.loss());
                }
            });
            trainer.fit(data, null);
            for (int i = 0; i < 4; i++) {
                uninterrupted[i] = losses.get(i);
            }
        }
        try (Generator generator = Generators.load(file);
                GeneratorTrainer trainer = new GeneratorTrainer(generator, training)) {
            trainer.load(file);
            assertEquals(6, trainer.stepCount());
            List<Double> losses = new java.util.ArrayList<>();
            trainer.addListener(new GeneratorListener() {
                @Override
                public void onStep(GeneratorTrainer t, GeneratorStepMetrics m) {
                    losses.add(m.loss());
                }
            });
            trainer.fit(data, null);
            for (int i = 0; i < 4; i++) {
                assertEquals(uninterrupted[i], losses.get(i), 0.0, "loss of resumed step " + (7 + i));
            }
        }
    }

    @Test
    void evaluationIsRepeatableAndSaved() {
        TokenDataset data = TestTokens.thirtyTwoImages();
        Path file = folder.resolve("maskgit.ckpt");
        try (Generator generator = Generators.create(config(GeneratorKind.MASKGIT, data));
                GeneratorTrainer trainer = new GeneratorTrainer(generator, GeneratorTrainer.defaults(GeneratorPreset.TINY))) {
            GeneratorEvaluation first = trainer.evaluate(data);
            GeneratorEvaluation second = trainer.evaluate(data);
            assertEquals(first.crossEntropy(), second.crossEntropy(), 0.0);
            assertTrue(first.crossEntropy() > 0);
            trainer.describeData(data);
            trainer.save(file);
        }
        assertEquals(data.tokenizerIdentity(), Generators.readMeta(file).get(GeneratorTrainer.TOKENIZER_IDENTITY));
        assertEquals(data.classNames(), GeneratorTrainer.classNames(Generators.readMeta(file)));
    }

    @Test
    void dataOfAnotherShapeIsRejected() {
        TokenDataset data = TestTokens.thirtyTwoImages();
        GeneratorConfig other = config(GeneratorKind.AR, data).toBuilder().set("codebook-size", "7").build();
        try (Generator generator = Generators.create(other);
                GeneratorTrainer trainer = new GeneratorTrainer(generator, GeneratorTrainer.defaults(GeneratorPreset.TINY))) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> trainer.fit(data, null));
            assertTrue(error.getMessage().contains("codebook size 7"), error.getMessage());
        }
    }

    @Test
    void loadRejectsOtherConfiguration() {
        TokenDataset data = TestTokens.thirtyTwoImages();
        Path file = folder.resolve("ar.ckpt");
        try (Generator generator = Generators.create(config(GeneratorKind.AR, data))) {
            generator.save(file, java.util.Map.of(), java.util.Map.of());
        }
        try (Generator wider = Generators.create(config(GeneratorKind.AR, data).toBuilder().size(128, 2, 2).build())) {
            NativeTokException error = assertThrows(NativeTokException.class, () -> wider.loadParameters(file));
            assertTrue(error.getMessage().contains("width: 128 -> 64"), error.getMessage());
        }
    }
}
