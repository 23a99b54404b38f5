package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.TestImages;
import org.junit.jupiter.api.Test;

class CausalityTest {

    private static NativeTok build(EncoderKind kind) {
        return NativeTok.builder().preset(Preset.TINY).encoder(kind).seed(7).build();
    }

    @Test
    void nativeTokEarlierTokensIgnoreLaterExperts() {
        try (NativeTok tok = build(EncoderKind.NATIVETOK);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 8);
            int[][] before = tok.encode(images);
            for (int position = 0; position < tok.tokens(); position++) {
                CausalityCheck.Result result = CausalityCheck.run(tok, images, position);
                assertEquals(0.0, result.maxChangeBefore(), "latents before position " + position);
                assertTrue(result.changeAt() > 0, "perturbing expert " + position + " changed nothing");
            }
            int[][] after = tok.encode(images);
            for (int b = 0; b < before.length; b++) {
                assertEquals(java.util.Arrays.toString(before[b]), java.util.Arrays.toString(after[b]),
                        "parameters were not restored exactly for image " + b);
            }
        }
    }

    @Test
    void nativeTokTokenIdsBeforePerturbedExpertUnchanged() {
        try (NativeTok tok = build(EncoderKind.NATIVETOK);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 16);
            int position = tok.tokens() / 2;
            int[][] reference = tok.encode(images);
            ai.djl.nn.Parameter query = tok.encoder().latentInput(position);
            NDArray original = query.getArray().duplicate();
            query.getArray().addi(manager.randomNormal(query.getArray().getShape()));
            int[][] perturbed = tok.encode(images);
            io.nativetok.nn.Layers.assign(query.getArray(), original);
            boolean anyChangeAtOrAfter = false;
            for (int b = 0; b < reference.length; b++) {
                for (int i = 0; i < tok.tokens(); i++) {
                    if (i < position) {
                        assertEquals(reference[b][i], perturbed[b][i], "image " + b + " token " + i);
                    } else if (reference[b][i] != perturbed[b][i]) {
                        anyChangeAtOrAfter = true;
                    }
                }
            }
            assertTrue(anyChangeAtOrAfter, "perturbing q_" + position + " changed no token id");
        }
    }

    @Test
    void causalMaskKindPassesCheck() {
        try (NativeTok tok = build(EncoderKind.CAUSAL_MASK);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 8);
            for (CausalityCheck.Result result : CausalityCheck.runAll(tok, images)) {
                assertTrue(result.isCausal(), "causal-mask encoder failed at " + result);
            }
        }
    }

    @Test
    void titokKindFailsCheck() {
        try (NativeTok tok = build(EncoderKind.TITOK);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray images = TestImages.cifarBatch(manager, 8);
            int last = tok.tokens() - 1;
            CausalityCheck.Result result = CausalityCheck.run(tok, images, last);
            assertTrue(result.maxChangeBefore() > 1e-4,
                    "TiTok's earlier latents should depend on the last latent token: " + result);
        }
    }
}
