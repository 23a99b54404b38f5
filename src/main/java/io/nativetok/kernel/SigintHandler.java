package io.nativetok.kernel;

import sun.misc.Signal;

/**
 * Turns SIGINT into a cell interrupt instead of the JVM's default, which is to exit.
 *
 * <p>Jupyter sends SIGINT to interrupt kernels whose kernelspec has {@code "interrupt_mode":
 * "signal"}, which is the default when the field is missing. The kernelspec that {@link
 * KernelInstaller} writes requests an {@code interrupt_request} message instead, and the kernel
 * handles both.
 */
final class SigintHandler {

    private SigintHandler() {}

    /** Runs {@code onInterrupt} on the JVM's signal thread for every SIGINT. */
    static void install(Runnable onInterrupt) {
        Signal.handle(new Signal("INT"), signal -> onInterrupt.run());
    }
}
