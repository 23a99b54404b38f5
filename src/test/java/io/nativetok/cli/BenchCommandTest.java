package io.nativetok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Option errors of {@code nativetok bench} that stop before any data or model is loaded. */
class BenchCommandTest {

    @Test
    void zeroRepetitionsRejected() {
        TrainCommandTest.Run result = TrainCommandTest.run("bench", "--repetitions", "0", "--against-pytorch");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("error: Invalid --repetitions 0"), result.err());
    }

    @Test
    void unknownPresetRejected() {
        TrainCommandTest.Run result = TrainCommandTest.run("bench", "--preset", "huge", "--against-pytorch");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("error: Unknown preset 'huge'"), result.err());
    }

    @Test
    void gpuWithPytorchRejected() {
        TrainCommandTest.Run result = TrainCommandTest.run("bench", "--device", "gpu", "--against-pytorch");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("the PyTorch reference runs on the CPU"), result.err());
    }

    @Test
    void zeroBatchRejected() {
        TrainCommandTest.Run result = TrainCommandTest.run("bench", "--batch-size", "0", "--against-pytorch");
        assertEquals(1, result.exitCode(), result.err());
        assertTrue(result.err().contains("error: Invalid --batch-size 0"), result.err());
    }
}
