package io.nativetok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RowThreadsTest {

    @Test
    void blocksCoverTheRowsInOrder() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(40f).reshape(40, 1);
            List<float[]> blocks = RowThreads.map(x, 8, NDArray::toFloatArray);

            assertEquals(Math.min(RowThreads.threads(), 5), blocks.size());
            float[] joined = new float[40];
            int next = 0;
            for (float[] block : blocks) {
                System.arraycopy(block, 0, joined, next, block.length);
                next += block.length;
            }
            assertArrayEquals(x.toFloatArray(), joined);
        }
    }

    @Test
    void fewRowsRunInTheCallingThread() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(15, 3));
            List<Thread> threads = RowThreads.map(x, 8, block -> Thread.currentThread());

            assertEquals(List.of(Thread.currentThread()), threads);
        }
    }

    @Test
    void propertyFalseTurnsTheSplitOff() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(64, 3));
            System.setProperty(RowThreads.PROPERTY, "false");
            List<Thread> threads;
            try {
                threads = RowThreads.map(x, 8, block -> Thread.currentThread());
            } finally {
                System.clearProperty(RowThreads.PROPERTY);
            }

            assertEquals(List.of(Thread.currentThread()), threads);
        }
    }

    /**
     * Each worker runs with one intra-op thread, while the caller and threads started later keep
     * the caller's count.
     */
    @Test
    void onlyWorkersUseOneIntraOpThread() throws InterruptedException {
        assumeTrue(RowThreads.threads() > 1, "needs a CPU with 2 or more cores");
        int callerThreads = JniUtils.getNumThreads();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(32, 3));
            List<Integer> counts = RowThreads.map(x, 8, block -> JniUtils.getNumThreads());

            counts.forEach(count -> assertEquals(1, count));
        }
        AtomicInteger later = new AtomicInteger();
        Thread thread = new Thread(() -> later.set(JniUtils.getNumThreads()));
        thread.start();
        thread.join();
        assertEquals(callerThreads, JniUtils.getNumThreads());
        assertEquals(callerThreads, later.get());
    }

    @Test
    void failureInABlockReachesTheCaller() {
        assumeTrue(RowThreads.threads() > 1, "needs a CPU with 2 or more cores");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(32f).reshape(32, 1);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    RowThreads.map(
                                            x,
                                            8,
                                            block -> {
                                                if (block.getFloat(0, 0) > 0) {
                                                    throw new IllegalArgumentException("second block");
                                                }
                                                return block;
                                            }));
            assertEquals("second block", e.getMessage());
        }
    }

    /** A pass that splits again runs inline in its worker instead of waiting for a free worker. */
    @Test
    void nestedCallRunsInline() {
        assumeTrue(RowThreads.threads() > 1, "needs a CPU with 2 or more cores");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(64, 3));
            List<List<Thread>> inner =
                    assertTimeoutPreemptively(
                            Duration.ofSeconds(30),
                            () ->
                                    RowThreads.map(
                                            x, 8, block -> RowThreads.map(block, 8, b -> Thread.currentThread())));

            for (List<Thread> threads : inner) {
                assertEquals(1, threads.size());
                assertNotSame(Thread.currentThread(), threads.get(0));
            }
        }
    }
}
