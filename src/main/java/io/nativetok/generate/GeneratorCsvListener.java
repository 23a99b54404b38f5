package io.nativetok.generate;

import io.nativetok.util.StepCsv;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Appends one row per step to {@code metrics.csv} and one per evaluation to {@code
 * evaluations.csv} in a folder. On its first event it drops rows of steps after the resume point
 * (written before a crash and then repeated), so every step appears once.
 */
public final class GeneratorCsvListener implements GeneratorListener {

    private static final String STEP_HEADER =
            "step,loss,accuracy,tokens_per_second,gradient_norm,learning_rate,milliseconds";
    private static final String EVALUATION_HEADER = "step,rows,cross_entropy_nats,bits_per_token,accuracy";

    private final Path steps;
    private final Path evaluations;
    private boolean prepared;

    /** Creates a listener writing into {@code folder}. */
    public GeneratorCsvListener(Path folder) {
        this.steps = folder.resolve("metrics.csv");
        this.evaluations = folder.resolve("evaluations.csv");
    }

    @Override
    public void onStep(GeneratorTrainer trainer, GeneratorStepMetrics m) {
        prepare(m.step() - 1);
        StepCsv.append(steps, String.format(Locale.ROOT, "%d,%.6f,%.6f,%.1f,%.6f,%.8f,%.1f",
                m.step(), m.loss(), m.accuracy(), m.tokensPerSecond(), m.gradientNorm(), m.learningRate(),
                m.milliseconds()));
    }

    @Override
    public void onEvaluation(GeneratorTrainer trainer, GeneratorEvaluation e) {
        prepare(e.step());
        StepCsv.append(evaluations, String.format(Locale.ROOT, "%d,%d,%.6f,%.6f,%.6f",
                e.step(), e.rows(), e.crossEntropy(), e.bitsPerToken(), e.accuracy()));
    }

    private void prepare(long lastKept) {
        if (prepared) {
            return;
        }
        prepared = true;
        StepCsv.prepare(steps, STEP_HEADER, STEP_HEADER, lastKept);
        StepCsv.prepare(evaluations, EVALUATION_HEADER, EVALUATION_HEADER, lastKept);
    }
}
