package io.nativetok.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class TokenPositionsTest {

    private static ImageSet images;

    @BeforeAll
    static void loadImages() {
        images = ImageSets.subset(TestImages.cifarTest(), 0, 20);
    }

    @Test
    void fullPrefixMatchesEvaluation() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            Table table = TokenPositions.prefixQuality(tok, images, 1, 4, tok.tokens());
            assertEquals(List.of("prefix", "psnr", "ssim", "mse"), table.columnNames());
            assertEquals(3, table.rowCount());
            double full = table.doubleColumn("psnr").get(2);
            double evaluated = TokenizerTrainer.evaluate(tok, images, 0).psnr();
            assertEquals(evaluated, full, 1e-3);
        }
    }

    @Test
    void influenceHasOneFiniteRowPerPosition() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(TrainingConfig.forPreset(Preset.TINY))) {
            for (int i = 0; i < 5; i++) {
                trainer.step(images, java.util.stream.IntStream.range(0, 16).toArray());
            }
            Table table = TokenPositions.influence(tok, images, 2, 0);
            assertEquals(tok.tokens(), table.rowCount());
            for (double value : table.doubleColumn("mse_change").asDoubleArray()) {
                assertTrue(Double.isFinite(value) && value > 0, "influence " + value);
            }
        }
    }

    @Test
    void outOfRangeArgumentsRejected() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            IllegalArgumentException position = assertThrows(IllegalArgumentException.class,
                    () -> TokenPositions.influence(tok, images, 8, 1, 0));
            assertTrue(position.getMessage().contains("Invalid position 8: expected 0 to 7"), position.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TokenPositions.influence(tok, images, -1, 1, 0));
            IllegalArgumentException prefix = assertThrows(IllegalArgumentException.class,
                    () -> TokenPositions.prefixQuality(tok, images, 0));
            assertTrue(prefix.getMessage().contains("1 to 8"), prefix.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TokenPositions.prefixQuality(tok, images, 9));
        }
    }
}
