package io.nativetok.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.util.ProcessMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvMetricsListenerTest {

    @TempDir
    Path folder;

    private static StepMetrics step(long step) {
        return new StepMetrics(step, 1.0, 0.5, 0.25, 0.25, 0.5, 10.0, 2.0, 1e-4, 40.0, 1600.0);
    }

    @Test
    void stepRowEndsWithResidentMemory() throws Exception {
        new CsvMetricsListener(folder).onStep(null, step(1));

        List<String> lines = Files.readAllLines(folder.resolve("metrics.csv"));
        assertEquals(CsvMetricsListener.STEP_HEADER, lines.get(0));
        assertTrue(lines.get(0).endsWith(",milliseconds,resident_megabytes"), lines.get(0));
        String[] row = lines.get(1).split(",", -1);
        assertEquals(12, row.length, lines.get(1));
        assertEquals("1600.0", row[10]);
        double megabytes = Double.parseDouble(row[11]);
        double peakMegabytes = ProcessMemory.peakResidentBytes() / 1e6;
        assertTrue(megabytes > 10, "resident " + megabytes + " MB, expected more than 10 MB");
        // The row rounds to 0.1 MB, so a reading at the peak may print up to 0.05 MB above it.
        assertTrue(megabytes <= peakMegabytes + 0.05,
                "resident " + megabytes + " MB above the peak " + peakMegabytes + " MB");
    }

    @Test
    void resumeKeepsRowsWithoutMemoryColumn() throws Exception {
        String olderHeader = "step,loss,reconstruction_loss,codebook_loss,commitment_loss,codebook_usage,"
                + "perplexity,gradient_norm,learning_rate,images_per_second,milliseconds";
        Files.writeString(folder.resolve("metrics.csv"), olderHeader + "\n"
                + "1,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1600.0\n"
                + "2,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1500.0\n"
                + "3,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1400.0\n");

        new CsvMetricsListener(folder).onStep(null, step(3)); // resumed after step 2

        List<String> lines = Files.readAllLines(folder.resolve("metrics.csv"));
        assertEquals(4, lines.size(), "header, the two kept steps and the repeated step 3: " + lines);
        assertEquals(CsvMetricsListener.STEP_HEADER, lines.get(0));
        assertEquals("1,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1600.0,", lines.get(1));
        assertEquals("2,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1500.0,", lines.get(2));
        assertTrue(lines.get(3).startsWith("3,1.000000,"), lines.get(3));
    }

    @Test
    void resumeDropsRowCutBeforeMemoryColumn() throws Exception {
        Files.writeString(folder.resolve("metrics.csv"), CsvMetricsListener.STEP_HEADER + "\n"
                + "1,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1600.0,2700.0\n"
                + "2,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,15\n");

        new CsvMetricsListener(folder).onStep(null, step(3)); // resumed after step 2

        List<String> lines = Files.readAllLines(folder.resolve("metrics.csv"));
        assertEquals(3, lines.size(), "header, step 1 and the new step 3: " + lines);
        assertEquals("1,1.0,0.5,0.25,0.25,0.5,10.0,2.0,1e-4,40.0,1600.0,2700.0", lines.get(1));
        assertTrue(lines.get(2).startsWith("3,"), lines.get(2));
    }
}
