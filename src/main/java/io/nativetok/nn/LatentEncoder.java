package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * An image encoder that produces L latent vectors, one per token, for the quantizer.
 *
 * <p>Implemented by {@link NativeTokEncoder} (causal by construction) and by {@link
 * SingleStreamEncoder} (the TiTok and causal-mask baselines), so that every encoder kind shares the
 * quantizer, the decoder and the trainer.
 */
public interface LatentEncoder extends Block {

    /**
     * Encodes images.
     *
     * @param images {@code (B, 3, H, W)} in [-1, 1]
     * @return {@code (B, L, De)}, one vector per token before quantization
     */
    NDArray encode(ParameterStore parameterStore, NDArray images, boolean training);

    /** Returns L, the number of tokens. */
    int tokens();

    /** Returns De, the width of the encoder's output vectors. */
    int outputWidth();

    /**
     * Returns the learned input vector of token position {@code position}: the expert's query
     * {@code q_i} for NativeTok, the latent token for the single-stream encoders. Changing it changes
     * what the encoder "receives" for that position, which is what a causality check perturbs.
     */
    Parameter latentInput(int position);
}
