package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ParameterCountsTest {

    @Test
    void analyticCountsMatchBuiltModels() {
        for (EncoderKind kind : EncoderKind.values()) {
            for (Feedback feedback : Feedback.values()) {
                try (NativeTok tok =
                        NativeTok.builder().preset(Preset.TINY).encoder(kind).mocet(e -> e.feedback(feedback)).build()) {
                    assertEquals(tok.parameterCounts().get("encoder"), ParameterCounts.encoder(tok.config()),
                            kind + " encoder with " + feedback + " feedback");
                    assertEquals(tok.parameterCounts().get("quantizer"), ParameterCounts.quantizer(tok.config()));
                    assertEquals(tok.parameterCounts().get("decoder"), ParameterCounts.decoder(tok.config()));
                }
            }
        }
    }

    @Test
    void cifarPresetCountMatches() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.CIFAR10).build()) {
            assertEquals(tok.parameterCount(), ParameterCounts.of(tok.config()).get("total"));
        }
    }
}
