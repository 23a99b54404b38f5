package io.nativetok.generate;

import io.nativetok.util.ProgressBar;
import java.io.PrintStream;

/** Shows a progress bar over the steps of {@code fit}, with the latest loss and throughput. */
public final class GeneratorProgressListener implements GeneratorListener {

    private final PrintStream out;
    private final String label;
    private ProgressBar bar;

    /** Creates a listener that draws on {@code out} with the label {@code train}. */
    public GeneratorProgressListener(PrintStream out) {
        this(out, "train");
    }

    /** Creates a listener that draws on {@code out} with {@code label} before the bar. */
    public GeneratorProgressListener(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    @Override
    public void onStep(GeneratorTrainer trainer, GeneratorStepMetrics metrics) {
        if (bar == null) {
            bar = ProgressBar.builder().label(label).total(trainer.config().steps()).out(out).build();
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
