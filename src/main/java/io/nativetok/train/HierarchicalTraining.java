package io.nativetok.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.nativetok.data.ImageSet;
import io.nativetok.nn.NativeTokEncoder;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.NativeTok;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Hierarchical Native Training (HNT): trains NativeTok at a short token length, then grows it
 * stage by stage, training only the new experts before a joint fine-tune.
 *
 * <p>For a schedule such as 8, 16, 32 the phases are: TRAIN all parameters at 8 tokens; GROW to
 * 16 tokens, which appends experts 8..15 and extends the decoder's latent position embeddings,
 * then trains with the MIT, the old experts and the quantizer frozen (so tokens 0..7 keep their
 * values; the new experts and the decoder learn); FINE_TUNE all parameters at 16 tokens; then the
 * same for 32. Each phase has its own warm-up and cosine learning-rate schedule. The original
 * paper states that HNT "updates only new expert blocks"; the phase structure and the decoder's
 * part are this kit's reading of it.
 *
 * <p>{@link #step} advances through the phases by itself; {@link #fit} runs them all through the
 * trainer's listeners. {@link #save} and {@link #load} work mid-schedule.
 */
public final class HierarchicalTraining implements AutoCloseable {

    /** The parameters a phase trains. */
    public enum Phase {
        /** All parameters at the first length of the schedule. */
        TRAIN,
        /** Only the experts added by the last growth, and the decoder. */
        GROW,
        /** All parameters after a growth. */
        FINE_TUNE
    }

    /**
     * The position in the schedule.
     *
     * @param index index of the current length in the schedule
     * @param tokens the model's current token count
     * @param phase the current phase
     * @param phaseStart the step after which the phase started
     * @param phaseEnd the step at which the phase ends
     */
    public record Stage(int index, int tokens, Phase phase, long phaseStart, long phaseEnd) {}

    private final NativeTok tokenizer;
    private final TokenizerTrainer trainer;
    private final int[] schedule;
    private final int stageSteps;
    private final int fineTuneSteps;
    private final TrainingConfig base;
    private int index;
    private Phase phase;

    /**
     * Creates the schedule for a NativeTok tokenizer whose token count is one of the schedule's:
     * {@code schedule[0]} for a fresh model (phase TRAIN), or a later entry for a model loaded from
     * a mid-schedule checkpoint, which {@link #load} then positions exactly.
     *
     * @param schedule strictly increasing token counts that include the model's current count
     * @param stageSteps steps of the TRAIN phase and of each GROW phase
     * @param fineTuneSteps steps of each FINE_TUNE phase (0 skips fine-tuning)
     * @param config the optimisation settings; its step count is replaced per phase
     */
    public HierarchicalTraining(
            NativeTok tokenizer, int[] schedule, int stageSteps, int fineTuneSteps, TrainingConfig config) {
        validate(tokenizer, schedule, stageSteps, fineTuneSteps);
        this.tokenizer = tokenizer;
        this.schedule = schedule.clone();
        this.stageSteps = stageSteps;
        this.fineTuneSteps = fineTuneSteps;
        this.base = config;
        this.trainer = tokenizer.newTrainer(config.toBuilder().steps(stageSteps).build());
        this.trainer.setExtraMeta(this::scheduleMeta);
        this.index = Arrays.binarySearch(schedule, tokenizer.tokens());
        this.phase = index == 0 ? Phase.TRAIN : Phase.GROW;
        applyPhase();
    }

    /**
     * Checks a schedule against a tokenizer.
     *
     * @throws IllegalArgumentException naming the bad value and the allowed range
     */
    public static void validate(NativeTok tokenizer, int[] schedule, int stageSteps, int fineTuneSteps) {
        if (tokenizer.config().encoder() != EncoderKind.NATIVETOK) {
            throw new IllegalArgumentException(
                    "Hierarchical Native Training needs the nativetok encoder, not "
                            + tokenizer.config().encoder().id() + ": only causal experts can be added per token.");
        }
        if (schedule == null || schedule.length < 2) {
            throw new IllegalArgumentException(
                    "Invalid HNT schedule " + describe(schedule) + ": expected at least two token counts,"
                            + " e.g. 8,16,32.");
        }
        for (int i = 1; i < schedule.length; i++) {
            if (schedule[i] <= schedule[i - 1]) {
                throw new IllegalArgumentException(
                        "Invalid HNT schedule " + describe(schedule) + ": token counts must increase, but "
                                + schedule[i] + " follows " + schedule[i - 1] + ".");
            }
        }
        if (schedule[0] > tokenizer.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid HNT schedule " + describe(schedule) + ": it starts at " + schedule[0]
                            + " tokens, above the model's current " + tokenizer.tokens()
                            + ". Build the model with " + schedule[0] + " tokens.");
        }
        if (Arrays.binarySearch(schedule, tokenizer.tokens()) < 0) {
            throw new IllegalArgumentException(
                    "Invalid HNT schedule " + describe(schedule) + ": the model's current token count "
                            + tokenizer.tokens() + " is not one of its lengths. Build the model with "
                            + schedule[0] + " tokens.");
        }
        if (stageSteps < 1) {
            throw new IllegalArgumentException(
                    "Invalid HNT stage steps " + stageSteps + ": expected at least 1.");
        }
        if (fineTuneSteps < 0) {
            throw new IllegalArgumentException(
                    "Invalid HNT fine-tune steps " + fineTuneSteps + ": expected 0 or more.");
        }
    }

    private static String describe(int[] schedule) {
        return schedule == null
                ? "(none)"
                : Arrays.stream(schedule).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    /** Returns the total number of steps of the whole schedule. */
    public long totalSteps() {
        return (long) stageSteps * schedule.length + (long) fineTuneSteps * (schedule.length - 1);
    }

    /** Returns the position in the schedule. */
    public Stage stage() {
        return new Stage(index, tokenizer.tokens(), phase, trainer.segmentEnd() - phaseLength(), trainer.segmentEnd());
    }

    /** Returns true when every phase has run. */
    public boolean isFinished() {
        return index == schedule.length - 1 && trainer.stepCount() >= trainer.segmentEnd() && isLastPhaseOfStage();
    }

    private boolean isLastPhaseOfStage() {
        return phase == Phase.FINE_TUNE || (phase == Phase.GROW && fineTuneSteps == 0)
                || (phase == Phase.TRAIN && schedule.length == 1);
    }

    /**
     * Runs one training step, first moving to the next phase when the current one is complete.
     *
     * @throws IllegalStateException when the schedule is finished
     */
    public StepMetrics step(NDArray images) {
        advanceIfDue();
        return trainer.step(images);
    }

    /**
     * Runs every remaining phase with the trainer's listeners and evaluation intervals.
     *
     * @return the evaluations made
     */
    public List<Evaluation> fit(ImageSet train, ImageSet evaluation) {
        List<Evaluation> evaluations = new ArrayList<>();
        while (!isFinished()) {
            advanceIfDue();
            evaluations.addAll(trainer.fit(train, evaluation));
        }
        return evaluations;
    }

    private void advanceIfDue() {
        if (trainer.stepCount() < trainer.segmentEnd()) {
            return;
        }
        if (isFinished()) {
            throw new IllegalStateException(
                    "The HNT schedule " + describe(schedule) + " is finished at step " + trainer.stepCount()
                            + "; train further with a TokenizerTrainer.");
        }
        if (phase == Phase.GROW && fineTuneSteps > 0) {
            phase = Phase.FINE_TUNE;
        } else {
            index++;
            tokenizer.growTokens(schedule[index]);
            phase = Phase.GROW;
        }
        trainer.startSegment(base.toBuilder().steps(phaseLength()).build());
        applyPhase();
    }

    private int phaseLength() {
        return phase == Phase.FINE_TUNE ? fineTuneSteps : stageSteps;
    }

    /** Freezes what the current phase must not change and unfreezes the rest. */
    private void applyPhase() {
        tokenizer.block().freezeParameters(false);
        if (phase != Phase.GROW) {
            return;
        }
        NativeTokEncoder encoder = (NativeTokEncoder) tokenizer.encoder();
        encoder.mit().freezeParameters(true);
        tokenizer.quantizer().freezeParameters(true);
        int oldTokens = schedule[index - 1];
        for (int i = 0; i < oldTokens; i++) {
            encoder.experts().experts().get(i).freezeParameters(true);
        }
    }

    /** Returns the names of the parameters the current phase trains. */
    public List<String> trainableParameters() {
        List<String> names = new ArrayList<>();
        for (Pair<String, Parameter> entry : tokenizer.block().getParameters()) {
            if (entry.getValue().requiresGradient()) {
                names.add(entry.getKey());
            }
        }
        return names;
    }

    /** Measures reconstruction quality at the current token count. */
    public Evaluation evaluate(ImageSet set) {
        return trainer.evaluate(set);
    }

    /** Saves the model, the optimizer and the schedule position, atomically. */
    public void save(Path path) {
        trainer.save(path);
    }

    private Map<String, String> scheduleMeta() {
        return Map.of(
                "hnt.schedule", describe(schedule),
                "hnt.index", String.valueOf(index),
                "hnt.phase", phase.name(),
                "hnt.stage-steps", String.valueOf(stageSteps),
                "hnt.fine-tune-steps", String.valueOf(fineTuneSteps));
    }

    /**
     * Restores a checkpoint written by {@link #save}. The tokenizer must have been built or loaded
     * with the checkpoint's token count (e.g. with {@link NativeTok#load}), and this object with the
     * same schedule.
     */
    public void load(Path path) {
        Map<String, String> meta = NativeTok.readMeta(path);
        if (meta.get("hnt.schedule") == null) {
            throw new IllegalArgumentException(
                    "Checkpoint " + path + " was not written by Hierarchical Native Training: it records"
                            + " no schedule. Load it with TokenizerTrainer.load instead.");
        }
        if (!describe(schedule).equals(meta.get("hnt.schedule"))) {
            throw new IllegalArgumentException(
                    "Checkpoint " + path + " belongs to HNT schedule " + meta.get("hnt.schedule")
                            + ", not " + describe(schedule) + ". Use the same schedule to resume.");
        }
        int savedIndex = Integer.parseInt(meta.get("hnt.index"));
        if (schedule[savedIndex] != tokenizer.tokens()) {
            throw new IllegalArgumentException(
                    "Checkpoint " + path + " has " + schedule[savedIndex] + " tokens but the tokenizer has "
                            + tokenizer.tokens() + ". Load the tokenizer from the checkpoint first.");
        }
        trainer.load(path);
        index = savedIndex;
        phase = Phase.valueOf(meta.get("hnt.phase"));
        applyPhase();
    }

    /** Returns the trainer that runs the steps (for listeners). */
    public TokenizerTrainer trainer() {
        return trainer;
    }

    /** Returns the schedule of token counts. */
    public int[] schedule() {
        return schedule.clone();
    }

    @Override
    public void close() {
        trainer.close();
    }
}
