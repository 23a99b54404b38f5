package io.nativetok.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's autograd recording off for a block of code on the current thread.
 *
 * <p>libtorch keeps its grad mode per thread, and a new thread starts with it on. DJL turns it off
 * only on the thread that loads the engine, so code running on another thread (a notebook cell, a
 * thread pool) records autograd graphs for inference and fails on in-place writes to parameters
 * ("a view was created in no_grad mode and is being modified in place with grad mode enabled").
 * Inference and parameter writes in this kit run inside {@code try (GradMode off =
 * GradMode.off())}, which restores the previous mode on close.
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** Disables grad mode on this thread until {@link #close()}. */
    public static GradMode off() {
        return new GradMode(false);
    }

    /** Enables grad mode on this thread until {@link #close()}, for a training pass on a worker thread. */
    public static GradMode on() {
        return new GradMode(true);
    }

    /** Returns whether libtorch records autograd graphs on this thread. */
    public static boolean isOn() {
        return JniUtils.isGradMode();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
