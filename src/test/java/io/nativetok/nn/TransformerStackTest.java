package io.nativetok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class TransformerStackTest {

    private static final Shape INPUT = new Shape(2, 6, 16);

    /**
     * Without autograd each layer runs in its own manager: the result is the same, and only the
     * output is left in the manager. With recording on, every intermediate array is kept.
     */
    @Test
    void inferenceFreesLayerArrays() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerStack stack = new TransformerStack(16, 3, 2, 4);
            stack.initialize(manager, DataType.FLOAT32, INPUT);
            ParameterStore parameters = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(INPUT);

            float[] recorded;
            int recordedArrays;
            try (NDManager scope = manager.newSubManager()) {
                x.tempAttach(scope);
                try (GradMode on = GradMode.on()) {
                    recorded = stack.forward(parameters, x, null, 2, false).toFloatArray();
                }
                recordedArrays = scope.getManagedArrays().size();
            }

            float[] freed;
            int freedArrays;
            try (NDManager scope = manager.newSubManager();
                    GradMode off = GradMode.off()) {
                x.tempAttach(scope);
                NDArray y = stack.forward(parameters, x, null, 2, false);
                assertEquals(new Shape(2, 2, 16), y.getShape());
                freed = y.toFloatArray();
                freedArrays = scope.getManagedArrays().size();
            }

            assertArrayEquals(recorded, freed);
            assertEquals(2, freedArrays, "the input and the output");
            assertTrue(recordedArrays > 20, "the recording path keeps " + recordedArrays + " arrays");
        }
    }
}
