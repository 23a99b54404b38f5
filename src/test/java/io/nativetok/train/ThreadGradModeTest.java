package io.nativetok.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.CausalityCheck;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Work on a thread whose libtorch grad mode is on, as in a notebook cell or a thread pool. */
class ThreadGradModeTest {

    @Test
    void trainingAndChecksWorkWithGradModeOn() throws Exception {
        TestImages.cifarTest();
        ai.djl.engine.Engine.getInstance(); // loads libtorch, whose JNI calls the worker makes directly
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> modeAfter = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            TrainingConfig config = TrainingConfig.forPreset(Preset.TINY).toBuilder().restartUnusedCodes(2).build();
            try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                    TokenizerTrainer trainer = tok.newTrainer(config);
                    NDManager manager = NDManager.newBaseManager()) {
                JniUtils.setGradMode(true);
                NDArray images = TestImages.cifarBatch(manager, 8);
                for (int i = 0; i < 4; i++) {
                    trainer.step(images);
                }
                assertTrue(CausalityCheck.run(tok, images, 3).isCausal());
                tok.encode(images);
                trainer.evaluate(io.nativetok.data.ImageSets.subset(TestImages.cifarTest(), 0, 8));
                modeAfter.set(JniUtils.isGradMode());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        worker.start();
        worker.join();
        if (failure.get() != null) {
            throw new AssertionError("work on a grad-mode thread failed: " + failure.get(), failure.get());
        }
        assertEquals(Boolean.TRUE, modeAfter.get(), "the thread's own grad mode must be restored");
    }
}
