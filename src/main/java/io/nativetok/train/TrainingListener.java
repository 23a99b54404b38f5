package io.nativetok.train;

/**
 * Receives events from {@link TokenizerTrainer#fit}: after each step, after each evaluation and at
 * the end of the run. Listeners write logs, CSV files, images and checkpoints; the trainer itself
 * prints and writes nothing.
 */
public interface TrainingListener {

    /** Called after every training step. */
    default void onStep(TokenizerTrainer trainer, StepMetrics metrics) {}

    /** Called after every evaluation, including the final one. */
    default void onEvaluation(TokenizerTrainer trainer, Evaluation evaluation) {}

    /** Called at the checkpoint interval and at the end of the run. */
    default void onCheckpoint(TokenizerTrainer trainer) {}

    /** Called once when {@code fit} returns normally. */
    default void onEnd(TokenizerTrainer trainer) {}
}
