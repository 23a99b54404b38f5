package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.nativetok.nn.GradMode;
import org.junit.jupiter.api.Test;

class TokenTransformerTest {

    /** Arrays left in the caller's manager by one forward pass, with autograd on and off. */
    private record ArrayCounts(int recorded, int freed) {}

    /**
     * Without autograd each layer runs in its own manager: the logits are those of the recording
     * path, and the arrays left behind do not grow with the depth.
     */
    @Test
    void inferenceFreesLayerArrays() {
        ArrayCounts shallow = forwardBothWays(2);
        ArrayCounts deep = forwardBothWays(4);

        assertEquals(shallow.freed(), deep.freed(), "arrays kept without autograd at depth 2 and 4");
        assertTrue(
                deep.recorded() > shallow.recorded() + 20,
                "the recording path keeps " + shallow.recorded() + " and " + deep.recorded() + " arrays");
    }

    private static ArrayCounts forwardBothWays(int depth) {
        GeneratorConfig config =
                GeneratorConfig.builder(GeneratorKind.MASKGIT, GeneratorPreset.TINY)
                        .data(12, 16, 3)
                        .size(32, depth, 2)
                        .seed(5)
                        .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenTransformer network = new TokenTransformer(config, 17, 13);
            network.initialize(manager, DataType.FLOAT32, network.initializationShape());
            ParameterStore parameters = new ParameterStore(manager, false);
            NDArray classes = manager.create(new long[] {0, 2});
            NDArray tokens = manager.randomInteger(0, 17, new Shape(2, 12), DataType.INT64);

            float[] recorded;
            int recordedArrays;
            try (NDManager scope = manager.newSubManager()) {
                classes.tempAttach(scope);
                tokens.tempAttach(scope);
                try (GradMode on = GradMode.on()) {
                    recorded = network.forward(parameters, classes, tokens, null, false).toFloatArray();
                }
                recordedArrays = scope.getManagedArrays().size();
            }

            float[] freed;
            int freedArrays;
            try (NDManager scope = manager.newSubManager();
                    GradMode off = GradMode.off()) {
                classes.tempAttach(scope);
                tokens.tempAttach(scope);
                NDArray logits = network.forward(parameters, classes, tokens, null, false);
                assertEquals(new Shape(2, 13, 16), logits.getShape());
                freed = logits.toFloatArray();
                freedArrays = scope.getManagedArrays().size();
            }

            assertArrayEquals(recorded, freed);
            return new ArrayCounts(recordedArrays, freedArrays);
        }
    }
}
