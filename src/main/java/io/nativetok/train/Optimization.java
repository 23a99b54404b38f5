package io.nativetok.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.nativetok.nn.GradMode;
import io.nativetok.nn.Layers;
import io.nativetok.nn.RowThreads;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one optimisation step every trainer of this kit uses: forward pass under a gradient
 * collector, divergence check, backward pass, global-norm clipping and an AdamW update.
 *
 * <p>Model-specific trainers supply the forward pass as a function returning named loss terms;
 * this class depends on nothing model-specific, so tokenizers and generators share it.
 */
public final class Optimization implements AutoCloseable {

    /** Named scalar loss terms; {@code total} is the one that is differentiated. */
    public record Losses(NDArray total, Map<String, NDArray> terms) {}

    /** The outcome of one update: step, loss values, gradient norm and learning rate. */
    public record Update(
            long step, Map<String, Double> losses, double gradientNorm, double learningRate) {}

    private final Block block;
    private final NDManager stateManager;
    private final AdamW adam;
    private TrainingConfig config;
    private long step;
    private long scheduleStart;

    /**
     * Creates the optimisation state for {@code block}.
     *
     * @param manager the parent of the manager that will own the optimizer moments
     */
    public Optimization(Block block, NDManager manager, TrainingConfig config) {
        this.block = block;
        this.stateManager = manager.newSubManager();
        this.adam = new AdamW(stateManager);
        this.config = config;
    }

    /**
     * Runs one update.
     *
     * @param forward computes the losses; called inside the gradient collector. Arrays it creates
     *     must belong to a scope the caller closes after this method returns.
     * @throws DivergenceException when a loss term or the gradient norm is not finite; the
     *     parameters are then unchanged
     */
    public Update apply(Supplier<Losses> forward) {
        long next = step + 1;
        Losses losses;
        Map<String, Double> values;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            losses = forward.get();
            values = lossValues(losses);
            checkFinite(next, values);
            collector.backward(losses.total());
        }
        return update(next, values, losses.total().getManager());
    }

    /**
     * Runs one update with the forward and backward passes of row blocks of {@code batch} on one
     * thread per core ({@link RowThreads}). Each loss term must be a mean over the rows of its
     * block. The terms weighted by the blocks' shares of the rows are then the batch's terms, and
     * the gradients that the blocks' backward passes add up are the batch's gradient. On
     * two cores a CIFAR10 step took 0.81 of the time of one pass over the whole batch.
     *
     * <p>NOTE: with more than two blocks the gradients are summed in the order the blocks finish,
     * so two runs may differ by float rounding.
     *
     * @param batch {@code (B, ...)}, in a scope the caller closes after this method returns
     * @param minRows the fewest rows worth a block of their own
     * @param forward computes one block's losses on a worker thread, with autograd recording on.
     *     It must not draw random numbers, whose order would depend on the threads.
     * @return the update, and each block's output in row order
     * @throws DivergenceException when a loss term or the gradient norm is not finite; the
     *     parameters are then unchanged, as after any exception of {@code forward}
     */
    public <T> BlockUpdate<T> apply(NDArray batch, int minRows, Function<NDArray, BlockLosses<T>> forward) {
        long next = step + 1;
        long rows = batch.getShape().get(0);
        List<BlockResult<T>> blocks;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            blocks = RowThreads.map(batch, minRows, block -> forwardAndBackward(collector, block, rows, forward));
        } catch (RuntimeException e) {
            zeroGradients(batch.getManager()); // other blocks may have finished their backward pass
            throw e;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        List<T> outputs = new ArrayList<>(blocks.size());
        for (BlockResult<T> block : blocks) {
            block.values().forEach((name, value) -> values.merge(name, block.share() * value, Double::sum));
            outputs.add(block.output());
        }
        try {
            checkFinite(next, values);
        } catch (DivergenceException e) {
            if (blocks.stream().anyMatch(BlockResult::backward)) {
                zeroGradients(batch.getManager()); // added by the blocks whose losses were finite
            }
            throw e;
        }
        return new BlockUpdate<>(update(next, values, batch.getManager()), outputs);
    }

    /** Losses of one block of rows, with the part of its forward pass that the caller keeps. */
    public record BlockLosses<T>(Losses losses, T output) {}

    /** The outcome of a blocked update, with each block's output in row order. */
    public record BlockUpdate<T>(Update update, List<T> outputs) {}

    /** One block's loss values, its share of the batch's rows, its output and whether it ran backward. */
    private record BlockResult<T>(Map<String, Double> values, double share, T output, boolean backward) {}

    /**
     * Runs a block's forward pass and, when its losses are finite, the backward pass of its share
     * of the batch loss. The gradients of all blocks add up in the parameters.
     */
    private static <T> BlockResult<T> forwardAndBackward(
            GradientCollector collector, NDArray block, long rows, Function<NDArray, BlockLosses<T>> forward) {
        try (GradMode on = GradMode.on()) {
            double share = (double) block.getShape().get(0) / rows;
            BlockLosses<T> result = forward.apply(block);
            Losses losses = result.losses();
            Map<String, Double> values = lossValues(losses);
            boolean finite = values.values().stream().allMatch(Double::isFinite);
            if (finite) {
                NDArray total = losses.total();
                // A libtorch scalar: autograd keeps it for the backward pass (see Layers.scalar).
                collector.backward(share == 1 ? total : total.mul(Layers.scalar(total, (float) share)));
            }
            return new BlockResult<>(values, share, result.output(), finite);
        }
    }

    /** Zeroes the gradients of the trainable parameters that have one. */
    private void zeroGradients(NDManager scope) {
        for (Pair<String, Parameter> entry : trainableParameters()) {
            NDArray gradient = entry.getValue().getArray().getGradient();
            if (gradient != null) {
                gradient.attach(scope);
                gradient.muli(0);
            }
        }
    }

    private static Map<String, Double> lossValues(Losses losses) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", (double) losses.total().getFloat());
        losses.terms().forEach((name, term) -> values.put(name, (double) term.getFloat()));
        return values;
    }

    /** Throws for the first non-finite term, checked before the total so that the error names it. */
    private static void checkFinite(long step, Map<String, Double> values) {
        for (Map.Entry<String, Double> entry : values.entrySet()) {
            if (!entry.getKey().equals("loss") && !Double.isFinite(entry.getValue())) {
                throw new DivergenceException(step, entry.getKey(), entry.getValue());
            }
        }
        if (!Double.isFinite(values.get("loss"))) {
            throw new DivergenceException(step, "loss", values.get("loss"));
        }
    }

    /** Clips the accumulated gradients to the configured global norm and applies AdamW. */
    private Update update(long next, Map<String, Double> values, NDManager scope) {
        List<Pair<String, Parameter>> parameters = trainableParameters();
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        NDList flattened = new NDList(parameters.size());
        for (Pair<String, Parameter> entry : parameters) {
            NDArray gradient = entry.getValue().getArray().getGradient();
            gradient.attach(scope);
            gradients.put(entry.getKey(), gradient);
            flattened.add(gradient.reshape(-1));
        }
        // One concatenation and one dot product instead of three small ops per parameter.
        NDArray all = flattened.isEmpty() ? null : NDArrays.concat(flattened);
        double norm = all == null ? 0 : Math.sqrt(all.dot(all).getFloat());
        if (!Double.isFinite(norm)) {
            String culprits = nonFiniteNames(gradients);
            gradients.values().forEach(g -> g.muli(0));
            throw new DivergenceException(next, "gradient norm (non-finite in " + culprits + ")", norm);
        }

        float scale = config.clipNorm() > 0 && norm > config.clipNorm() ? (float) (config.clipNorm() / norm) : 1f;
        float learningRate = config.learningRateAt(step - scheduleStart);
        adam.update(parameters, gradients, learningRate, scale, config);
        step = next;
        return new Update(step, values, norm, learningRate);
    }

    private static String nonFiniteNames(Map<String, NDArray> gradients) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, NDArray> entry : gradients.entrySet()) {
            double sum = entry.getValue().abs().sum().getFloat();
            if (!Double.isFinite(sum)) {
                names.add(entry.getKey());
            }
        }
        return describeNames(names);
    }

    /**
     * Returns the names of the block's parameters that contain NaN or infinite values, joined for
     * a message, or null when all are finite. {@link TokenizerTrainer#save} calls this, so that a
     * diverged model never replaces a good checkpoint.
     */
    public String nonFiniteParameters() {
        List<String> names = new ArrayList<>();
        try (NDManager scope = stateManager.newSubManager()) {
            for (Pair<String, Parameter> entry : block.getParameters()) {
                // A view in the scope, so that the checks below leave no arrays in the model's manager.
                NDArray array = entry.getValue().getArray();
                NDArray view = array.reshape(array.getShape());
                view.attach(scope);
                if (view.isNaN().logicalOr(view.isInfinite()).any().getBoolean()) {
                    names.add(entry.getKey());
                }
            }
        }
        return names.isEmpty() ? null : describeNames(names);
    }

    private static String describeNames(List<String> names) {
        if (names.size() > 5) {
            return String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more";
        }
        return names.isEmpty() ? "none found" : String.join(", ", names);
    }

    private List<Pair<String, Parameter>> trainableParameters() {
        List<Pair<String, Parameter>> trainable = new ArrayList<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            if (entry.getValue().requiresGradient()) {
                trainable.add(entry);
            }
        }
        return trainable;
    }

    /** Returns the number of updates applied so far. */
    public long step() {
        return step;
    }

    /** Returns the training configuration. */
    public TrainingConfig config() {
        return config;
    }

    /** Replaces the training configuration, e.g. to extend a run; the step count is kept. */
    public void setConfig(TrainingConfig config) {
        this.config = config;
    }

    /**
     * Starts a new learning-rate schedule segment: from now on the warm-up and cosine decay of
     * {@code config} run over steps {@code step() + 1} to {@code step() + config.steps()}. Used by
     * Hierarchical Native Training, whose phases each have their own schedule.
     */
    public void startSegment(TrainingConfig config) {
        this.config = config;
        this.scheduleStart = step;
    }

    /** Returns the step after which the current schedule segment started (0 for a plain run). */
    public long scheduleStart() {
        return scheduleStart;
    }

    /** Returns the step at which the current schedule segment ends. */
    public long segmentEnd() {
        return scheduleStart + config.steps();
    }

    /** Returns the optimizer moments as named arrays, for a checkpoint. */
    public Map<String, NDArray> state() {
        return adam.state();
    }

    /** Returns the step and per-parameter update counts as strings, for a checkpoint's metadata. */
    public Map<String, String> meta() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("step", String.valueOf(step));
        meta.put("schedule-start", String.valueOf(scheduleStart));
        adam.updateCounts().forEach((name, count) -> meta.put("adamw.count/" + name, String.valueOf(count)));
        return meta;
    }

    /** Restores the state saved by {@link #state()} and {@link #meta()}. */
    public void restore(Map<String, NDArray> state, Map<String, String> meta) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        meta.forEach(
                (key, value) -> {
                    if (key.startsWith("adamw.count/")) {
                        counts.put(key.substring("adamw.count/".length()), Integer.parseInt(value));
                    }
                });
        adam.restore(state, counts);
        step = Long.parseLong(meta.getOrDefault("step", "0"));
        scheduleStart = Long.parseLong(meta.getOrDefault("schedule-start", "0"));
    }

    @Override
    public void close() {
        adam.clear();
        stateManager.close();
    }
}
