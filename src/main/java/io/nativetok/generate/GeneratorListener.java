package io.nativetok.generate;

/**
 * Receives events from {@link GeneratorTrainer#fit}: after each step, after each evaluation, at
 * checkpoints and at the end. The trainer itself prints and writes nothing.
 */
public interface GeneratorListener {

    /** Called after every training step. */
    default void onStep(GeneratorTrainer trainer, GeneratorStepMetrics metrics) {}

    /** Called after every evaluation, including the final one. */
    default void onEvaluation(GeneratorTrainer trainer, GeneratorEvaluation evaluation) {}

    /** Called at the checkpoint interval and at the end of the run. */
    default void onCheckpoint(GeneratorTrainer trainer) {}

    /** Called once when {@code fit} returns normally. */
    default void onEnd(GeneratorTrainer trainer) {}
}
