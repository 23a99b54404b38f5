package io.nativetok.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A class-conditional generator of token sequences: {@link ArGenerator} or {@link
 * MaskGitGenerator}. {@link GeneratorTrainer} trains either through this interface.
 *
 * <p>Token ids are {@code int[B][L]} in {@code [0, K)}; class ids are in {@code [0, C)}.
 */
public interface Generator extends AutoCloseable {

    /**
     * The loss of one batch.
     *
     * @param loss scalar mean cross-entropy in nats over the predicted tokens; the value to
     *     differentiate
     * @param correct scalar count of predicted tokens whose most likely id is the target
     * @param predicted number of tokens the loss averages over
     */
    record BatchLoss(NDArray loss, NDArray correct, long predicted) {}

    /** Returns the configuration. */
    GeneratorConfig config();

    /**
     * Computes the loss of a batch. Arrays it creates belong to {@code tokens}' manager.
     *
     * @param tokens {@code (B, L)} int64 token ids
     * @param classes {@code (B)} int64 class ids
     * @param random source of the batch's random choices (class dropout, MaskGIT's masks)
     * @param training true to apply class dropout and record gradients' inputs; false for
     *     validation, where every sample keeps its class
     */
    BatchLoss loss(NDArray tokens, NDArray classes, SplittableRandom random, boolean training);

    /**
     * Draws one token sequence per requested class.
     *
     * @param classes class ids in {@code [0, C)}
     * @throws IllegalArgumentException for a class id or option outside its range
     */
    int[][] sample(int[] classes, SamplingOptions options);

    /** Saves configuration, parameters, metadata and extra arrays to {@code path}, atomically. */
    void save(Path path, Map<String, String> meta, Map<String, NDArray> extra);

    /**
     * Replaces the parameters with those in a checkpoint of the same configuration.
     *
     * @return the checkpoint's extra arrays, in this generator's manager
     */
    Map<String, NDArray> loadParameters(Path path);

    /** Returns the DJL block holding every parameter. */
    Block block();

    /** Returns the manager that owns the parameters. */
    NDManager manager();

    /** Returns the number of parameters. */
    long parameterCount();

    @Override
    void close();
}
