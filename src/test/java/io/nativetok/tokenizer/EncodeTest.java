package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.TestImages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodeTest {

    /**
     * {@code encode} skips the straight-through codes and loss terms of the quantizer; its ids must
     * still be those of the full forward pass, for every encoder kind and for quantized feedback.
     */
    @Test
    void encodeMatchesForwardIds() {
        List<NativeTokConfig> configs = new ArrayList<>();
        for (EncoderKind kind : EncoderKind.values()) {
            configs.add(Preset.TINY.toBuilder().encoder(kind).seed(5).build());
        }
        configs.add(Preset.TINY.toBuilder().mocet(m -> m.feedback(Feedback.QUANTIZED)).seed(5).build());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 24); // 2 blocks on 2 cores
            for (NativeTokConfig config : configs) {
                try (NativeTok tok = NativeTok.create(config)) {
                    long[] full = tok.forward(images.mul(2).sub(1), false).quantized().ids().toLongArray();
                    int[][] encoded = tok.encode(images);
                    long[] flat = new long[full.length];
                    for (int i = 0; i < encoded.length; i++) {
                        for (int j = 0; j < encoded[i].length; j++) {
                            flat[i * encoded[i].length + j] = encoded[i][j];
                        }
                    }
                    assertArrayEquals(full, flat, config.toMap().toString());
                }
            }
        }
    }
}
