package io.nativetok.train;

import io.nativetok.util.ProgressBar;
import java.io.PrintStream;

/** Shows a progress bar over the steps of {@code fit}, with the latest loss and throughput. */
public final class ProgressBarListener implements TrainingListener {

    private final PrintStream out;
    private ProgressBar bar;

    /** Creates a listener that draws on {@code out}. */
    public ProgressBarListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStep(TokenizerTrainer trainer, StepMetrics metrics) {
        if (bar == null) {
            bar = ProgressBar.builder().label("train").total(trainer.segmentEnd()).out(out).build();
            bar.startAt(metrics.step());
        }
        bar.update(metrics.step(), metrics.summary());
    }

    @Override
    public void onEvaluation(TokenizerTrainer trainer, Evaluation evaluation) {
        if (bar != null) {
            bar.update(evaluation.step(), "eval: " + evaluation.summary());
        }
    }

    @Override
    public void onEnd(TokenizerTrainer trainer) {
        if (bar != null) {
            bar.finish();
            bar = null;
        }
    }
}
