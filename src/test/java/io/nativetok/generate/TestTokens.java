package io.nativetok.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.util.ProgressListener;

/** Real token data for tests: CIFAR-10 test records encoded by a TINY tokenizer, made once. */
final class TestTokens {

    private static TokenDataset thirtyTwo;

    private TestTokens() {}

    /** Returns the first {@code count} CIFAR-10 test records as an image set. */
    static ImageSet images(int count) {
        return ImageSets.subset(TestImages.cifarTest(), 0, count);
    }

    /** Returns a TINY tokenizer with seed {@code seed}; close it after use. */
    static NativeTok tokenizer(long seed) {
        return NativeTok.builder().preset(Preset.TINY).seed(seed).build();
    }

    /** Returns the tokens of the first 32 test records under the TINY tokenizer with seed 0. */
    static synchronized TokenDataset thirtyTwoImages() {
        if (thirtyTwo == null) {
            try (NativeTok tok = tokenizer(0)) {
                thirtyTwo = TokenDataset.tokenize(tok, images(32), 16, ProgressListener.NONE);
            }
        }
        return thirtyTwo;
    }

    /** Returns images as a (B, 3, 32, 32) array. */
    static NDArray batch(NDManager manager, int count) {
        return TestImages.cifarBatch(manager, count);
    }
}
