package io.nativetok.tokenizer;

import ai.djl.ndarray.NDArray;
import io.nativetok.nn.VectorQuantizer;

/**
 * Everything one forward pass of the tokenizer produces.
 *
 * @param latents encoder outputs before quantization {@code (B, L, De)}
 * @param quantized codes, token ids {@code (B, L)} and quantizer loss terms
 * @param reconstruction decoded images {@code (B, 3, H, W)} in the [-1, 1] pixel scale, unclipped
 */
public record TokenizerOutput(
        NDArray latents, VectorQuantizer.Result quantized, NDArray reconstruction) {}
