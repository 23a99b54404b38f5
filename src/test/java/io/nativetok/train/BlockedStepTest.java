package io.nativetok.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.ParameterList;
import io.nativetok.data.TestImages;
import io.nativetok.nn.RowThreads;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.tokenizer.TokenizerOutput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A training step whose batch runs as row blocks on several threads gives the loss values and the
 * update of one pass over the whole batch, up to float rounding.
 */
class BlockedStepTest {

    private static final int BATCH = 16;
    private static final double TOLERANCE = 1e-5;

    private static NativeTok tokenizer() {
        return NativeTok.create(Preset.TINY.toBuilder().seed(3).build());
    }

    private static Optimization optimization(NativeTok tok) {
        return new Optimization(tok.block(), tok.manager(), TrainingConfig.forPreset(Preset.TINY));
    }

    /** Returns the trainer's loss on images in the model's [-1, 1] scale, keeping each block's rows. */
    private static Function<NDArray, Optimization.BlockLosses<Long>> forward(NativeTok tok) {
        return forward(tok, null);
    }

    /**
     * Returns the trainer's loss, made NaN in every block whose first row is not {@code images}'
     * first row.
     */
    private static Function<NDArray, Optimization.BlockLosses<Long>> forward(NativeTok tok, NDArray poisonAfter) {
        return block -> {
            TokenizerOutput output = tok.forward(block, true);
            NDArray reconstruction = output.reconstruction().sub(block).square().mean();
            if (poisonAfter != null && block.getFloat(0, 0, 0, 0) != poisonAfter.getFloat(0, 0, 0, 0)) {
                reconstruction = reconstruction.mul(Float.NaN);
            }
            Map<String, NDArray> terms = new LinkedHashMap<>();
            terms.put("reconstruction", reconstruction);
            NDArray total = reconstruction.add(output.quantized().loss());
            return new Optimization.BlockLosses<>(new Optimization.Losses(total, terms), block.getShape().get(0));
        };
    }

    @Test
    void blocksMatchOnePassOverTheBatch() {
        assumeTrue(RowThreads.threads() > 1, "needs a CPU with 2 or more cores");
        try (NativeTok whole = tokenizer();
                NativeTok blocked = tokenizer();
                Optimization wholeOptimization = optimization(whole);
                Optimization blockedOptimization = optimization(blocked);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, BATCH).mul(2).sub(1);

            Optimization.BlockUpdate<Long> one = wholeOptimization.apply(images, BATCH, forward(whole));
            Optimization.BlockUpdate<Long> two = blockedOptimization.apply(images, BATCH / 2, forward(blocked));

            assertEquals(List.of((long) BATCH), one.outputs());
            assertEquals(List.of((long) BATCH / 2, (long) BATCH / 2), two.outputs());
            for (String name : one.update().losses().keySet()) {
                assertEquals(one.update().losses().get(name), two.update().losses().get(name), TOLERANCE, name);
            }
            assertEquals(one.update().gradientNorm(), two.update().gradientNorm(), TOLERANCE * one.update().gradientNorm());
            assertParametersClose(whole, blocked);
        }
    }

    /**
     * When one block's loss is not finite, the step throws and the gradients that the other block
     * added are cleared: the next step matches a model that never saw the failed step.
     */
    @Test
    void failedBlockLeavesNoGradient() {
        RuntimeException e = failSecondBlockThenStep(BlockedStepTest::forward);

        assertInstanceOf(DivergenceException.class, e);
        assertTrue(e.getMessage().contains("reconstruction"), e.getMessage());
    }

    /** An exception in one block reaches the caller, and the other block's gradients are cleared. */
    @Test
    void exceptionInBlockLeavesNoGradient() {
        RuntimeException e =
                failSecondBlockThenStep(
                        (tok, images) -> {
                            float firstPixel = images.getFloat(0, 0, 0, 0);
                            Function<NDArray, Optimization.BlockLosses<Long>> healthy = forward(tok);
                            return block -> {
                                if (block.getFloat(0, 0, 0, 0) != firstPixel) {
                                    throw new IllegalStateException("second block");
                                }
                                return healthy.apply(block);
                            };
                        });

        assertInstanceOf(IllegalStateException.class, e);
        assertEquals("second block", e.getMessage());
    }

    /**
     * Runs a step whose second block fails as {@code failing} makes it fail, then a healthy step,
     * and checks the parameters against a model that ran only the healthy step.
     *
     * @return the exception of the failed step
     */
    private static RuntimeException failSecondBlockThenStep(
            BiFunction<NativeTok, NDArray, Function<NDArray, Optimization.BlockLosses<Long>>> failing) {
        assumeTrue(RowThreads.threads() > 1, "needs a CPU with 2 or more cores");
        try (NativeTok reference = tokenizer();
                NativeTok failed = tokenizer();
                Optimization referenceOptimization = optimization(reference);
                Optimization failedOptimization = optimization(failed);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, BATCH).mul(2).sub(1);
            assertNotEquals(images.getFloat(0, 0, 0, 0), images.getFloat(BATCH / 2, 0, 0, 0), "first pixels of the blocks");

            RuntimeException e =
                    assertThrows(
                            RuntimeException.class,
                            () -> failedOptimization.apply(images, BATCH / 2, failing.apply(failed, images)));

            referenceOptimization.apply(images, BATCH / 2, forward(reference));
            failedOptimization.apply(images, BATCH / 2, forward(failed));
            assertParametersClose(reference, failed);
            return e;
        }
    }

    private static void assertParametersClose(NativeTok expected, NativeTok actual) {
        ParameterList left = expected.block().getParameters();
        ParameterList right = actual.block().getParameters();
        assertEquals(left.size(), right.size());
        for (int i = 0; i < left.size(); i++) {
            float[] a = left.valueAt(i).getArray().toFloatArray();
            float[] b = right.valueAt(i).getArray().toFloatArray();
            double largest = 0;
            for (int j = 0; j < a.length; j++) {
                largest = Math.max(largest, Math.abs(a[j] - b[j]));
            }
            assertTrue(largest <= TOLERANCE, left.keyAt(i) + " differs by " + largest);
        }
    }
}
