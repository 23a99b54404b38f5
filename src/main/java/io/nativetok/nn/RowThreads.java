package io.nativetok.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs an inference pass on the CPU as row blocks of the batch, one block per core, each on its
 * own thread with one libtorch intra-op thread.
 *
 * <p>The matrices of a small model (the experts of the CIFAR10 preset are 128 wide) are too small
 * for libtorch to keep several intra-op threads busy. On 2 cores, encoding 64 CIFAR10 images took
 * 450 ms with 2 intra-op threads and 342 ms as two blocks of 32 on two threads. A training step
 * took 2127 ms and 1730 ms (medians of 7 alternating calls in one process). Each row of a batch is
 * computed independently of the other rows in this kit's models, so the split does not change
 * what is computed.
 *
 * <p>The worker threads are daemons shared by the whole JVM; there is one per intra-op thread of
 * the thread that first uses them. libtorch keeps the intra-op thread count per thread, so the
 * workers' count of one does not change other threads.
 */
public final class RowThreads {

    /**
     * The system property that turns the split off when set to {@code false}, for example to
     * compare both ways in one process ({@code bench/RowBlocks.java}); it is read at every call.
     */
    public static final String PROPERTY = "nativetok.rowBlocks";

    /** Whether the current thread is a worker. A pass that calls {@link #map} there runs inline. */
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);

    private static ExecutorService workers;
    private static int workerCount;

    private RowThreads() {}

    /**
     * Applies {@code pass} to row blocks of {@code x} and returns the results in row order.
     *
     * <p>With one core, a GPU array, fewer than {@code 2 * minRows} rows, a call from a worker or
     * {@link #PROPERTY} set to {@code false}, {@code pass} runs once on {@code x} in the calling
     * thread. Each block runs on a thread of its own, which starts with
     * libtorch's autograd recording on: {@code pass} must turn it off itself ({@link GradMode}).
     * The blocks are views of {@code x} in its manager; {@code pass} must not close that manager.
     *
     * @param x {@code (B, ...)}
     * @param minRows the fewest rows worth a block of their own
     * @param pass the inference to run on {@code (b, ...)} rows
     * @return one result per block, in row order
     */
    public static <T> List<T> map(NDArray x, int minRows, Function<NDArray, T> pass) {
        long rows = x.getShape().get(0);
        boolean split = !x.getDevice().isGpu() && !IN_WORKER.get() && !"false".equals(System.getProperty(PROPERTY));
        int blocks = split ? (int) Math.min(threads(), rows / minRows) : 1;
        if (blocks <= 1) {
            return List.of(pass.apply(x));
        }
        List<Future<T>> futures = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            NDArray block = x.get("{}:{}", rows * i / blocks, rows * (i + 1) / blocks);
            futures.add(workers.submit(() -> pass.apply(block)));
        }
        return collect(futures);
    }

    /** Joins per-block arrays {@code (b, ...)} into the batch's {@code (B, ...)}, in row order. */
    public static NDArray join(List<NDArray> blocks) {
        return blocks.size() == 1 ? blocks.get(0) : NDArrays.concat(new NDList(blocks), 0);
    }

    /**
     * Waits for every block, even when interrupted: the blocks read arrays that the caller frees
     * once this returns. An interrupt is passed on by setting the thread's flag again.
     */
    private static <T> List<T> collect(List<Future<T>> futures) {
        List<T> results = new ArrayList<>(futures.size());
        RuntimeException failure = null;
        boolean interrupted = false;
        for (Future<T> future : futures) {
            while (true) {
                try {
                    results.add(future.get());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = asRuntime(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static RuntimeException asRuntime(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(cause);
    }

    /** Returns the number of row blocks a large batch is split into, starting the workers on first use. */
    public static synchronized int threads() {
        if (workers == null) {
            Engine.getInstance(); // loads libtorch, which the JNI calls below need
            workerCount = Math.max(1, JniUtils.getNumThreads());
            workers = workerCount > 1 ? start(workerCount) : null;
        }
        return workerCount;
    }

    /**
     * Starts the workers and sets each one's intra-op thread count to one. libtorch also keeps that
     * count as the default for threads that have not run an operation yet, so the caller's count is
     * set again afterwards.
     */
    private static ExecutorService start(int count) {
        CountDownLatch ready = new CountDownLatch(count);
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        count,
                        task -> {
                            Thread thread = new Thread(task, "nativetok-rows");
                            thread.setDaemon(true);
                            return thread;
                        });
        for (int i = 0; i < count; i++) {
            pool.execute(
                    () -> {
                        JniUtils.getNumThreads(); // applies the default before the override
                        JniUtils.setNumThreads(1);
                        IN_WORKER.set(true);
                        ready.countDown();
                        awaitQuietly(ready);
                    });
        }
        awaitQuietly(ready);
        JniUtils.setNumThreads(count);
        return pool;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
