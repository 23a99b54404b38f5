package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import io.nativetok.data.TestImages;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class GradientTest {

    /** Returns the summed absolute gradient of every parameter for one loss, then zeroes them. */
    private static Map<String, Double> gradients(NativeTok tok, Function<TokenizerOutput, NDArray> loss) {
        Map<String, Double> sums = new LinkedHashMap<>();
        try (NDManager scope = tok.manager().newSubManager()) {
            NDArray x = TestImages.cifarBatch(scope, 8).mul(2).sub(1);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(loss.apply(tok.forward(x, true)));
            }
            for (Pair<String, Parameter> entry : tok.block().getParameters()) {
                NDArray gradient = entry.getValue().getArray().getGradient();
                gradient.attach(scope);
                sums.put(plainName(entry.getKey()), (double) gradient.abs().sum().getFloat());
                gradient.muli(0);
            }
        }
        return sums;
    }

    /** Drops DJL's two-digit child indices: {@code 01encoder_01mit_classToken -> encoder_mit_classToken}. */
    static String plainName(String name) {
        return name.replaceAll("(^|_)\\d{2}", "$1");
    }

    private static double total(Map<String, Double> sums, String part) {
        return sums.entrySet().stream()
                .filter(e -> e.getKey().contains(part))
                .mapToDouble(Map.Entry::getValue)
                .sum();
    }

    @Test
    void straightThroughReachesEncoderNotCodebook() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            Map<String, Double> sums =
                    gradients(tok, out -> out.reconstruction().square().mean());
            assertTrue(total(sums, "_mit_") > 0, "reconstruction loss gave no gradient to the MIT");
            assertTrue(total(sums, "_experts_") > 0, "reconstruction loss gave no gradient to the experts");
            assertTrue(total(sums, "quantizer_") > 0, "no gradient to the quantizer projection");
            assertEquals(0.0, total(sums, "codebook"), "reconstruction loss must not reach the codebook");
            for (Map.Entry<String, Double> entry : sums.entrySet()) {
                if (entry.getKey().contains("_mit_") && !entry.getKey().contains("absent")) {
                    assertTrue(entry.getValue() > 0, "no gradient reached " + entry.getKey());
                }
            }
        }
    }

    @Test
    void codebookLossReachesOnlyCodebook() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            Map<String, Double> sums = gradients(tok, out -> out.quantized().codebookLoss());
            assertTrue(total(sums, "codebook") > 0, "codebook loss gave no gradient to the codebook");
            for (Map.Entry<String, Double> entry : sums.entrySet()) {
                if (!entry.getKey().endsWith("codebook")) {
                    assertEquals(0.0, entry.getValue(), "codebook loss reached " + entry.getKey());
                }
            }
        }
    }

    @Test
    void commitmentLossReachesEncoderNotCodebook() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            Map<String, Double> sums = gradients(tok, out -> out.quantized().commitmentLoss());
            assertTrue(total(sums, "encoder_") > 0, "commitment loss gave no gradient to the encoder");
            assertEquals(0.0, total(sums, "codebook"), "commitment loss reached the codebook");
            assertEquals(0.0, total(sums, "decoder_"), "commitment loss reached the decoder");
        }
    }

    @Test
    void straightThroughPassesGradientUnchanged() {
        // The quantized output's gradient with respect to the encoder output h must equal the
        // gradient of the unquantized projection e: the estimator treats quantization as identity.
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager scope = tok.manager().newSubManager()) {
            NDArray x = TestImages.cifarBatch(scope, 4).mul(2).sub(1);
            NDArray latents = tok.encoder().encode(tok.parameterStore(), x, false);
            NDArray weights = scope.randomNormal(new ai.djl.ndarray.types.Shape(4, tok.tokens(), 8));

            float[] throughQuantizer = gradientWithRespectTo(latents, h ->
                    tok.quantizer().forward(tok.parameterStore(), h, true).codes().mul(weights).sum());
            float[] throughIdentity = gradientWithRespectTo(latents, h ->
                    tok.quantizer().project(tok.parameterStore(), h, true).mul(weights).sum());

            assertTrue(java.util.Arrays.stream(toDouble(throughIdentity)).anyMatch(v -> v != 0));
            for (int i = 0; i < throughIdentity.length; i++) {
                assertEquals(throughIdentity[i], throughQuantizer[i], 0f, "gradient element " + i);
            }
        }
    }

    private static float[] gradientWithRespectTo(NDArray value, Function<NDArray, NDArray> loss) {
        NDArray leaf = value.stopGradient();
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.apply(leaf));
        }
        return leaf.getGradient().toFloatArray();
    }

    private static double[] toDouble(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
