package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.nativetok.data.TestImages;
import org.junit.jupiter.api.Test;

class TokenizerInputTest {

    @Test
    void encodeDecodeShapes() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 5);
            int[][] ids = tok.encode(images);
            assertEquals(5, ids.length);
            assertEquals(tok.tokens(), ids[0].length);
            NDArray decoded = tok.decode(ids, manager);
            assertEquals(new Shape(5, 3, 32, 32), decoded.getShape());
            assertTrue(decoded.min().getFloat() >= 0 && decoded.max().getFloat() <= 1);
            // decode looks codes up in the codebook; reconstruct passes e + sg(q - e), equal up to rounding.
            assertArrayEquals(decoded.toFloatArray(), tok.reconstruct(images).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void prefixOfFullLengthEqualsDecode() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            int[][] ids = tok.encode(TestImages.cifarBatch(manager, 4));
            assertArrayEquals(
                    tok.decode(ids, manager).toFloatArray(),
                    tok.decodePrefix(ids, tok.tokens(), manager).toFloatArray());
        }
    }

    @Test
    void tokenIdOutsideCodebookRejected() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            int[][] ids = new int[2][tok.tokens()];
            ids[1][3] = 64;
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> tok.decode(ids, manager));
            assertTrue(e.getMessage().contains("Invalid token id 64 at image 1, position 3"), e.getMessage());
            assertTrue(e.getMessage().contains("0 to 63"), e.getMessage());
            ids[1][3] = -1;
            assertThrows(IllegalArgumentException.class, () -> tok.decode(ids, manager));
        }
    }

    @Test
    void tooManyTokensRejected() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.decode(new int[1][tok.tokens() + 1], manager));
            assertTrue(e.getMessage().contains("row length 9"), e.getMessage());
        }
    }

    @Test
    void wrongImageSizeRejected() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.zeros(new Shape(2, 3, 64, 64));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode(images));
            assertTrue(e.getMessage().contains("(2, 3, 64, 64)"), e.getMessage());
            assertTrue(e.getMessage().contains("image-size 32"), e.getMessage());
        }
    }

    @Test
    void byteImagesRejected() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.zeros(new Shape(1, 3, 32, 32), DataType.UINT8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.encode(images));
            assertTrue(e.getMessage().contains("uint8"), e.getMessage());
        }
    }

    @Test
    void prefixOutOfRangeRejected() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            int[][] ids = new int[1][tok.tokens()];
            assertThrows(IllegalArgumentException.class, () -> tok.decodePrefix(ids, 0, manager));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tok.decodePrefix(ids, tok.tokens() + 1, manager));
            assertTrue(e.getMessage().contains("1 to 8"), e.getMessage());
        }
    }

    @Test
    void missingGpuIsAnError() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getInstance().getGpuCount() == 0);
        io.nativetok.util.NativeTokException e = assertThrows(io.nativetok.util.NativeTokException.class,
                () -> NativeTok.builder().preset(Preset.TINY).device("gpu").build());
        assertTrue(e.getMessage().contains("gpu(0)"), e.getMessage());
    }
}
