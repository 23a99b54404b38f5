package io.nativetok.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.plot.Diagrams;
import io.nativetok.plot.Diagrams.Visibility;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import org.junit.jupiter.api.Test;

/** Checks that the causal-mask diagram shows the mask the encoder actually applies. */
class CausalMaskPatternTest {

    @Test
    void diagramMatchesEncoderMask() {
        NativeTokConfig config = Preset.TINY.config();
        SingleStreamEncoder encoder = new SingleStreamEncoder(
                config.imageSize(), config.patchSize(), config.tokens(), 16, 1, 2, 4, true);
        Visibility[][] pattern = Diagrams.singleStreamPattern(config, true);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray mask = encoder.causalMask(manager);
            int length = pattern.length;
            assertEquals(length, mask.getShape().get(2));
            float[] values = mask.toFloatArray();
            for (int row = 0; row < length; row++) {
                for (int column = 0; column < length; column++) {
                    boolean allowed = values[row * length + column] == 0f;
                    assertEquals(allowed, pattern[row][column] != Visibility.HIDDEN,
                            "row " + row + ", column " + column);
                }
            }
        }
    }
}
