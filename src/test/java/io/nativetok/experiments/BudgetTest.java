package io.nativetok.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.tokenizer.Preset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BudgetTest {

    private final Budget cifar10 = Budget.forPreset(Preset.CIFAR10);

    @Test
    void withReplacesOnlyTheNamedValues() {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("tokenizer-steps", "1500");
        changes.put("Generated-Images", "2_000");
        Budget changed = cifar10.with(changes);
        assertEquals(new Budget(1500, 0, 0, 200, 2, 5000, 2000, 10), changed);
        assertEquals("tokenizer-steps=1500 generated-images=2000", changed.differencesFrom(cifar10));
        assertEquals("", cifar10.with(Map.of()).differencesFrom(cifar10));
    }

    @Test
    void mapRoundTrip() {
        Map<String, Integer> map = cifar10.toMap();
        assertEquals(8, map.size());
        assertEquals(5000, map.get("generator-steps"));
        assertEquals(cifar10, Budget.fromMap(map));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cifar10.with(Map.of("tokenizer-step", "10")));
        assertTrue(e.getMessage().contains("'tokenizer-step'"), e.getMessage());
        assertTrue(e.getMessage().contains("tokenizer-steps, train-images"), e.getMessage());
    }

    @Test
    void badValuesRejected() {
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> cifar10.with(Map.of("generator-steps", "many")));
        assertTrue(text.getMessage().contains("generator-steps = 'many'"), text.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> cifar10.with(Map.of("tokenizer-steps", "0")));
        assertTrue(zero.getMessage().contains("tokenizer-steps = 0: expected at least 1"), zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> cifar10.with(Map.of("train-images", "-1")));
        assertTrue(negative.getMessage().contains("0 (all images) or more"), negative.getMessage());
        assertEquals(0, cifar10.with(Map.of("evaluation-images", "0")).evaluationImages());
    }
}
