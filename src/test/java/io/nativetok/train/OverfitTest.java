package io.nativetok.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import org.junit.jupiter.api.Test;

class OverfitTest {

    @Test
    void tinyPresetMemorizesSixteenRealImages() {
        TrainingConfig config =
                TrainingConfig.forPreset(Preset.TINY).toBuilder().steps(1000).batchSize(16).build();
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 16);
            double first = trainer.step(images).reconstructionLoss();
            double last = first;
            for (int i = 1; i < config.steps(); i++) {
                last = trainer.step(images).reconstructionLoss();
            }
            assertTrue(last * 10 <= first,
                    "reconstruction MSE fell from " + first + " to " + last + ", less than 10x");
        }
    }
}
