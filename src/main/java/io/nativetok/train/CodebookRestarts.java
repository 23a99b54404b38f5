package io.nativetok.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.nativetok.nn.Layers;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Moves codebook entries that no batch has used for a while onto encoder outputs.
 *
 * <p>A vector-quantized autoencoder trained with only the codebook and commitment losses tends to
 * use a shrinking part of its codebook: entries that are never nearest to any encoder output get no
 * gradient and stay unused. Every {@code patience} steps, each entry unused during the last {@code
 * patience} steps is replaced by the normalised encoder output of a random token of the current
 * batch (the "dead code restart" of Jukebox, Dhariwal et al. 2020). The random choice depends only
 * on the seed and the step, so a resumed run restarts the same entries.
 */
final class CodebookRestarts {

    private final int patience;
    private final long seed;
    private final long[] lastUsed;

    CodebookRestarts(int codebookSize, int patience, long seed) {
        this.patience = patience;
        this.seed = seed;
        this.lastUsed = new long[codebookSize];
    }

    /**
     * Records the ids of a step and, at the restart interval, replaces unused entries.
     *
     * @param step the step just completed, 1-based
     * @param ids the step's token ids, flat
     * @param projected the step's normalised encoder outputs {@code (B*L*C)} flat, C per token
     * @param codebook the codebook parameter's array {@code (K, C)}, updated in place
     * @return the number of entries restarted
     */
    int update(long step, long[] ids, float[] projected, NDArray codebook) {
        for (long id : ids) {
            lastUsed[(int) id] = step;
        }
        if (patience <= 0 || step % patience != 0) {
            return 0;
        }
        int codeDim = Math.toIntExact(codebook.getShape().get(1));
        int tokens = projected.length / codeDim;
        float[] entries = codebook.toFloatArray();
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + step);
        int restarted = 0;
        for (int k = 0; k < lastUsed.length; k++) {
            if (step - lastUsed[k] >= patience) {
                int source = random.nextInt(tokens);
                System.arraycopy(projected, source * codeDim, entries, k * codeDim, codeDim);
                lastUsed[k] = step;
                restarted++;
            }
        }
        if (restarted > 0) {
            try (NDArray updated = codebook.getManager().create(entries, codebook.getShape())) {
                Layers.assign(codebook, updated);
            }
        }
        return restarted;
    }

    /** Returns the last-used steps as an array, for a checkpoint. */
    NDArray state(NDManager manager) {
        return manager.create(lastUsed, new Shape(lastUsed.length));
    }

    /** Restores the last-used steps saved by {@link #state}. */
    void restore(NDArray state) {
        long[] saved = state.toLongArray();
        if (saved.length != lastUsed.length) {
            throw new IllegalStateException(
                    "Saved code-usage state has " + saved.length + " entries but the codebook has "
                            + lastUsed.length);
        }
        System.arraycopy(saved, 0, lastUsed, 0, saved.length);
    }

    /** Returns how many entries were used in the last {@code patience} steps before {@code step}. */
    int recentlyUsed(long step) {
        return (int) Arrays.stream(lastUsed).filter(last -> step - last < patience).count();
    }
}
