package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    private static String rejection(NativeTok.Builder builder) {
        return assertThrows(IllegalArgumentException.class, builder::config).getMessage();
    }

    @Test
    void knobsOverridePreset() {
        NativeTokConfig config =
                NativeTok.builder()
                        .preset(Preset.CIFAR10)
                        .mit(m -> m.width(128).depth(2))
                        .mocet(e -> e.tokens(16).width(64))
                        .quantizer(q -> q.codebookSize(512).codeDim(8))
                        .decoder(d -> d.depth(3))
                        .config();
        assertEquals(128, config.mit().width());
        assertEquals(2, config.mit().depth());
        assertEquals(4, config.mit().heads());
        assertEquals(16, config.tokens());
        assertEquals(64, config.mocet().width());
        assertEquals(512, config.quantizer().codebookSize());
        assertEquals(3, config.decoder().depth());
        assertEquals(Preset.CIFAR10, config.preset());
    }

    @Test
    void flatMapRoundTrips() {
        NativeTokConfig config = NativeTok.builder().preset(Preset.CIFAR10).set("mit.depth", "6").config();
        Map<String, String> map = config.toMap();
        assertEquals("6", map.get("mit.depth"));
        assertEquals(config, NativeTokConfig.fromMap(map));
    }

    @Test
    void zeroTokensRejected() {
        String message = rejection(NativeTok.builder().tokens(0));
        assertTrue(message.contains("Invalid tokens 0"), message);
    }

    @Test
    void widthNotDivisibleByHeadsRejected() {
        String message = rejection(NativeTok.builder().mit(m -> m.width(100).heads(3)));
        assertTrue(message.contains("mit.heads 3"), message);
        assertTrue(message.contains("mit.width 100"), message);
    }

    @Test
    void imageNotDivisibleByPatchRejected() {
        String message = rejection(NativeTok.builder().image(32, 5));
        assertTrue(message.contains("patch-size 5"), message);
        assertTrue(message.contains("image-size 32"), message);
    }

    @Test
    void unknownKeyRejectedWithKnownKeys() {
        String message = rejection(NativeTok.builder().set("mit.widht", "64"));
        assertTrue(message.contains("Unknown configuration key 'mit.widht'"), message);
        assertTrue(message.contains("mit.width"), message);
    }

    @Test
    void nonNumericValueRejected() {
        String message = rejection(NativeTok.builder().set("tokens", "many"));
        assertTrue(message.contains("'many'"), message);
    }

    @Test
    void unknownPresetRejected() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NativeTok.builder().preset("huge"));
        assertTrue(e.getMessage().contains("tiny, cifar10, imagenet256"), e.getMessage());
    }

    @Test
    void presetsKeepBaselineWithinTenPercentOfNativeTok() {
        for (Preset preset : Preset.values()) {
            NativeTokConfig nativeTok = preset.config();
            NativeTokConfig titok = preset.toBuilder().encoder(EncoderKind.TITOK).build();
            double a = ParameterCounts.encoder(nativeTok);
            double b = ParameterCounts.encoder(titok);
            assertTrue(Math.abs(a - b) / a <= 0.10,
                    preset + ": NativeTok encoder " + a + " vs baseline " + b + " parameters");
        }
    }
}
