package io.nativetok.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.stream.IntStream;

/** Real CIFAR-10 images for tests: the bit-exact test records, loaded once. */
public final class TestImages {

    private static ImageSet exactTest;

    private TestImages() {}

    /** Returns CIFAR-10 test records 0-999, or skips (fails under CI) when the data is missing. */
    public static synchronized ImageSet cifarTest() {
        if (exactTest == null) {
            exactTest = Cifar10.load(TestData.cifar10(), Cifar10.Split.TEST_EXACT);
        }
        return exactTest;
    }

    /** Returns the first {@code count} test records as a (B, 3, 32, 32) array in [0, 1]. */
    public static NDArray cifarBatch(NDManager manager, int count) {
        return ImageSets.toArray(manager, cifarTest(), IntStream.range(0, count).toArray());
    }
}
