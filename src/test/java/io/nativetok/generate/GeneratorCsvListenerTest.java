package io.nativetok.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorCsvListenerTest {

    private static final String HEADER = "step,loss,accuracy,tokens_per_second,gradient_norm,learning_rate,milliseconds";

    @TempDir
    Path folder;

    private static GeneratorStepMetrics step(long step) {
        return new GeneratorStepMetrics(step, 4.0, 0.1, 5000.0, 1.5, 1e-4, 400.0);
    }

    @Test
    void firstStepCreatesFolder() throws Exception {
        Path run = folder.resolve("generator-ar");

        new GeneratorCsvListener(run).onStep(null, step(1));

        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals(HEADER, lines.get(0));
        assertEquals(2, lines.size(), "header and step 1: " + lines);
    }

    @Test
    void resumeDropsCutAndLaterRows() throws Exception {
        Files.writeString(folder.resolve("metrics.csv"), HEADER + "\n"
                + "1,4.0,0.1,5000.0,1.5,0.0001,400.0\n"
                + "2,4.0,0.1,5000.0,1.5,0.0001,400.0\n"
                + "3,4.0,0.1,5000.0,1.5,0.0001,400.0\n"
                + "4,4.0,0.1,50");

        new GeneratorCsvListener(folder).onStep(null, step(3)); // resumed after step 2

        List<String> lines = Files.readAllLines(folder.resolve("metrics.csv"));
        assertEquals(4, lines.size(), "header, steps 1 and 2 and the repeated step 3: " + lines);
        assertEquals("2,4.0,0.1,5000.0,1.5,0.0001,400.0", lines.get(2));
        assertTrue(lines.get(3).startsWith("3,4.000000,"), lines.get(3));
    }
}
