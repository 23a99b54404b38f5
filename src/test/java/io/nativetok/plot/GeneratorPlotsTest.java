package io.nativetok.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.tokenizer.NativeTok;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class GeneratorPlotsTest {

    private static Table curve(double offset) {
        return Table.create("curve",
                IntColumn.create("position", 0, 1, 2),
                DoubleColumn.create("cross_entropy_bits", 5 + offset, 4 + offset, 3 + offset),
                DoubleColumn.create("marginal_entropy_bits", 6, 6, 6));
    }

    @Test
    void crossEntropyCurvesHaveOneLinePerTokenizer() {
        Map<String, Table> tables = new LinkedHashMap<>();
        tables.put("NativeTok", curve(0));
        tables.put("TiTok", curve(1));
        XYChart withoutMarginal = GeneratorPlots.crossEntropyCurves(tables, false);
        assertEquals(2, withoutMarginal.getSeriesMap().size());
        XYChart withMarginal = GeneratorPlots.crossEntropyCurves(tables, true);
        assertEquals(4, withMarginal.getSeriesMap().size());
        assertTrue(withMarginal.getSeriesMap().containsKey("TiTok H(z_i | z_<i, class)"));
    }

    @Test
    void sampleGridHasOneRowPerClass() {
        try (NativeTok tok = NativeTok.builder().build()) {
            int[][] tokens = new int[5][tok.tokens()];
            int[] classes = {2, 2, 7, 7, 7};
            BufferedImage grid = GeneratorPlots.sampleGrid(tok, tokens, classes, List.of("a", "b", "c"));
            int cell = 32 * ImageGrid.scaleFor(32);
            assertTrue(grid.getHeight() >= 2 * cell && grid.getHeight() < 3 * cell, "height " + grid.getHeight());
            assertTrue(grid.getWidth() >= 3 * cell, "three columns for class 7, width " + grid.getWidth());
            assertThrows(IllegalArgumentException.class,
                    () -> GeneratorPlots.sampleGrid(tok, tokens, new int[] {1}, List.of()));
        }
    }
}
