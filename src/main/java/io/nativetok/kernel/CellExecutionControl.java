package io.nativetok.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JShell execution engine that runs each snippet in the kernel's own JVM, on a fresh thread that
 * an interrupt can stop, and keeps the snippet's result as an object.
 *
 * <p>JShell's built-in local engine returns results only as strings. This engine also stores the
 * result object, so the kernel can render a {@code BufferedImage} or a chart instead of its
 * {@code toString()}. Classes load through JShell's default loader, whose parent is the system
 * class loader, so snippets and the kernel share one copy of every library class.
 */
final class CellExecutionControl extends DirectExecutionControl {

    /** Name under which {@link Provider} registers this engine with JShell. */
    static final String ENGINE_NAME = "nativetok-local";

    private static final AtomicInteger THREAD_COUNT = new AtomicInteger();

    /** Time a snippet gets to react to {@link Thread#interrupt()} before it is stopped. */
    private static final long INTERRUPT_GRACE_MILLIS = 300;

    /** Attempts at {@link Thread#stop()}, for code that catches the first {@code ThreadDeath}. */
    private static final int STOP_ATTEMPTS = 5;

    private volatile Thread snippetThread;
    private volatile boolean stopRequested;
    private volatile Object lastValue;

    /**
     * Clears the stored result before a snippet runs, and the stop request too when {@code
     * clearStopRequest} is true, which the evaluator passes at the start of a cell.
     */
    void resetForNextSnippet(boolean clearStopRequest) {
        lastValue = null;
        if (clearStopRequest) {
            stopRequested = false;
        }
    }

    /** Returns the result object of the last snippet that ran, or null if it had none. */
    Object lastValue() {
        return lastValue;
    }

    /** Returns whether a stop was requested since the last {@code resetForNextSnippet(true)}. */
    boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Runs the snippet's {@code do_it$} method on a new daemon thread and waits for it.
     *
     * <p>A failure of the snippet reaches JShell as an {@link InvocationTargetException}, which
     * {@link DirectExecutionControl} turns into the {@code EvalException} of the snippet event. A
     * stopped snippet ends with {@link ExecutionControl.StoppedException}.
     */
    @Override
    protected String invoke(Method doitMethod) throws Exception {
        if (stopRequested) {
            throw new StoppedException();
        }
        SnippetRun run = new SnippetRun(doitMethod);
        Thread thread = new Thread(run, "nativetok-cell-" + THREAD_COUNT.incrementAndGet());
        thread.setDaemon(true);
        thread.setContextClassLoader(doitMethod.getDeclaringClass().getClassLoader());

        snippetThread = thread;
        try {
            thread.start();
            thread.join();
        } finally {
            snippetThread = null;
        }

        if (run.failure instanceof ThreadDeath) {
            throw new StoppedException();
        }
        if (run.failure != null) {
            throw new InvocationTargetException(run.failure);
        }
        lastValue = run.value;
        return valueString(run.value);
    }

    /**
     * Stops the running snippet: interrupts its thread, waits {@value #INTERRUPT_GRACE_MILLIS} ms,
     * then calls {@link Thread#stop()} until the thread ends or {@value #STOP_ATTEMPTS} attempts
     * were made. Also makes the remaining snippets of the cell end before they start.
     *
     * <p>NOTE: {@code Thread.stop()} works on Java 17, which this kit targets, but throws
     * {@code UnsupportedOperationException} from Java 20 on. A stopped thread releases its monitors
     * at once, so objects it was changing can be left half-updated. Threads that the snippet
     * started itself keep running.
     */
    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        stopRequested = true;
        Thread thread = snippetThread;
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(INTERRUPT_GRACE_MILLIS);
            for (int attempt = 0; attempt < STOP_ATTEMPTS && thread.isAlive(); attempt++) {
                thread.stop();
                thread.join(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The body of one snippet thread and what it produced. */
    private static final class SnippetRun implements Runnable {
        private final Method doitMethod;
        private volatile Object value;
        private volatile Throwable failure;

        SnippetRun(Method doitMethod) {
            this.doitMethod = doitMethod;
        }

        @Override
        public void run() {
            // libtorch's grad mode is per thread and on in new threads; cells start with it off,
            // as the main thread of a Java program does once DJL has loaded its engine.
            disableGradMode();
            try {
                value = doitMethod.invoke(null);
            } catch (InvocationTargetException e) {
                failure = e.getCause();
            } catch (Throwable e) {
                // ThreadDeath from stop() can also land outside the snippet's own code.
                failure = e;
            }
        }
    }

    /** Makes {@link CellExecutionControl} available to {@code JShell.Builder.executionEngine}. */
    static final class Provider implements ExecutionControlProvider {
        private volatile CellExecutionControl control;

        @Override
        public String name() {
            return ENGINE_NAME;
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            control = new CellExecutionControl();
            return control;
        }

        /** Returns the engine that JShell created, or null before JShell was built. */
        CellExecutionControl control() {
            return control;
        }
    }

    private static void disableGradMode() {
        try {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        } catch (RuntimeException | LinkageError e) {
            // The engine is not loaded yet; the first DJL call on this thread loads it with grad mode off.
        }
    }
}
