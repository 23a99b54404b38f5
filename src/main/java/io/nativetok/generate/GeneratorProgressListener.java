package io.nativetok.generate;

import io.nativetok.util.ProgressBar;
import java.io.PrintStream;

/** Shows a progress bar over the steps of {@code fit}, with the latest loss and throughput. */
public final class GeneratorProgressListener implements GeneratorListener {

    private final PrintStream out;
    private ProgressBar bar;

    /** Creates a listener that draws on {@code out}. */
    public GeneratorProgressListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStep(GeneratorTrainer trainer, GeneratorStepMetrics metrics) {
        if (bar == null) {
            bar = ProgressBar.builder().label("train").total(trainer.config().steps()).out(out).build();
            bar.startAt(metrics.step());
        }
        bar.update(metrics.step(), metrics.summary());
    }

    @Override
    public void onEvaluation(GeneratorTrainer trainer, GeneratorEvaluation evaluation) {
        if (bar != null) {
            bar.update(evaluation.step(), "eval: " + evaluation.summary());
        }
    }

    @Override
    public void onEnd(GeneratorTrainer trainer) {
        if (bar != null) {
            bar.finish();
        }
    }
}
