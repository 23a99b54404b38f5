package io.nativetok.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HierarchicalTrainingTest {

    private static final TrainingConfig CONFIG = TrainingConfig.forPreset(Preset.TINY);

    private static NativeTok tokenizer(int tokens) {
        return NativeTok.builder().preset(Preset.TINY).tokens(tokens).build();
    }

    private static String plainName(String name) {
        return name.replaceAll("(^|_)\\d{2}", "$1");
    }

    private static Map<String, float[]> snapshot(NativeTok tok) {
        Map<String, float[]> values = new HashMap<>();
        for (Pair<String, Parameter> entry : tok.block().getParameters()) {
            values.put(entry.getKey(), entry.getValue().getArray().toFloatArray());
        }
        return values;
    }

    @Test
    void growthKeepsFrozenParametersAndPrefixTokens() {
        try (NativeTok tok = tokenizer(4);
                HierarchicalTraining hnt = new HierarchicalTraining(tok, new int[] {4, 8}, 3, 2, CONFIG);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 16);
            for (int i = 0; i < 3; i++) {
                hnt.step(images);
            }
            int[][] smallTokens = tok.encode(images);
            Map<String, float[]> before = snapshot(tok);

            hnt.step(images); // grows to 8 tokens and runs the first GROW step
            assertEquals(HierarchicalTraining.Phase.GROW, hnt.stage().phase());
            assertEquals(8, tok.tokens());
            for (int i = 1; i < 3; i++) {
                hnt.step(images);
            }

            List<String> trainable = hnt.trainableParameters().stream().map(HierarchicalTrainingTest::plainName).toList();
            assertTrue(trainable.stream().anyMatch(n -> n.contains("expert7")), trainable.toString());
            assertTrue(trainable.stream().anyMatch(n -> n.startsWith("decoder_")), trainable.toString());
            int frozen = 0;
            for (Pair<String, Parameter> entry : tok.block().getParameters()) {
                String name = plainName(entry.getKey());
                boolean old = name.contains("_mit_") || name.startsWith("quantizer_")
                        || name.matches(".*expert[0-3]_.*");
                if (old) {
                    frozen++;
                    assertFalse(trainable.contains(name), name + " should be frozen");
                    assertArrayEquals(before.get(entry.getKey()), entry.getValue().getArray().toFloatArray(), 0f,
                            name + " changed during the GROW phase");
                }
            }
            assertTrue(frozen > 20, "only " + frozen + " frozen parameters found");

            int[][] grownTokens = tok.encode(images);
            for (int b = 0; b < smallTokens.length; b++) {
                for (int i = 0; i < 4; i++) {
                    assertEquals(smallTokens[b][i], grownTokens[b][i], "image " + b + " token " + i);
                }
            }
        }
    }

    @Test
    void fineTuneUnfreezesEverything() {
        try (NativeTok tok = tokenizer(4);
                HierarchicalTraining hnt = new HierarchicalTraining(tok, new int[] {4, 8}, 2, 2, CONFIG);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 8);
            for (int i = 0; i < 5; i++) {
                hnt.step(images);
            }
            assertEquals(HierarchicalTraining.Phase.FINE_TUNE, hnt.stage().phase());
            assertEquals(tok.block().getParameters().size(), hnt.trainableParameters().size());
            hnt.step(images);
            assertTrue(hnt.isFinished());
            assertEquals(6, hnt.totalSteps());
            assertThrows(IllegalStateException.class, () -> hnt.step(images));
        }
    }

    @Test
    void saveAndLoadMidSchedule(@TempDir Path folder) {
        Path file = folder.resolve("hnt.ckpt");
        int[] schedule = {4, 8, 16};
        double[] expected = new double[3];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 8);
            try (NativeTok tok = tokenizer(4);
                    HierarchicalTraining hnt = new HierarchicalTraining(tok, schedule, 2, 1, CONFIG)) {
                for (int i = 0; i < 4; i++) {
                    hnt.step(images);
                }
                hnt.save(file);
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = hnt.step(images).loss();
                }
            }
            try (NativeTok tok = NativeTok.load(file);
                    HierarchicalTraining hnt = new HierarchicalTraining(tok, schedule, 2, 1, CONFIG)) {
                hnt.load(file);
                assertEquals(8, tok.tokens());
                assertEquals(HierarchicalTraining.Phase.GROW, hnt.stage().phase());
                for (double loss : expected) {
                    assertEquals(loss, hnt.step(images).loss(), 0.0);
                }
                assertEquals(16, tok.tokens());
            }
        }
    }

    @Test
    void invalidSchedulesRejected() {
        try (NativeTok tok = tokenizer(8)) {
            IllegalArgumentException notIncreasing = assertThrows(IllegalArgumentException.class,
                    () -> HierarchicalTraining.validate(tok, new int[] {8, 16, 12}, 10, 0));
            assertTrue(notIncreasing.getMessage().contains("12 follows 16"), notIncreasing.getMessage());

            IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                    () -> HierarchicalTraining.validate(tok, new int[] {16, 32}, 10, 0));
            assertTrue(above.getMessage().contains("above the model's current 8"), above.getMessage());

            IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                    () -> HierarchicalTraining.validate(tok, new int[] {8}, 10, 0));
            assertTrue(single.getMessage().contains("at least two"), single.getMessage());

            assertThrows(IllegalArgumentException.class,
                    () -> HierarchicalTraining.validate(tok, new int[] {8, 16}, 0, 0));
        }
        try (NativeTok titok = NativeTok.builder().preset(Preset.TINY).encoder(EncoderKind.TITOK).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HierarchicalTraining.validate(titok, new int[] {8, 16}, 10, 0));
            assertTrue(e.getMessage().contains("nativetok encoder"), e.getMessage());
        }
    }
}
