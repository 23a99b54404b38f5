package io.nativetok.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class MetricsTablesTest {

    @Test
    void evaluationTableHasOneRowPerEvaluation() {
        List<Evaluation> evaluations = List.of(
                new Evaluation(0, 200, 12.0, 0.1, 0.06, 0.2, 5.0),
                new Evaluation(200, 200, 13.7, 0.3, 0.04, 0.9, 40.0));

        Table table = Evaluation.toTable("evaluations", evaluations);

        assertEquals("evaluations", table.name());
        assertEquals(List.of("step", "images", "psnr", "ssim", "mse", "codebook_usage", "perplexity"),
                table.columnNames());
        assertEquals(2, table.rowCount());
        assertEquals(200L, table.longColumn("step").get(1));
        assertEquals(200, table.intColumn("images").get(1));
        assertEquals(13.7, table.doubleColumn("psnr").get(1));
        assertEquals(0.3, table.doubleColumn("ssim").get(1));
        assertEquals(0.04, table.doubleColumn("mse").get(1));
        assertEquals(0.9, table.doubleColumn("codebook_usage").get(1));
        assertEquals(40.0, table.doubleColumn("perplexity").get(1));
    }

    @Test
    void stepMetricsTableKeepsEveryField() {
        StepMetrics step = new StepMetrics(7, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);

        Table table = StepMetrics.toTable("steps", List.of(step));

        assertEquals(List.of("step", "loss", "reconstruction_loss", "codebook_loss", "commitment_loss",
                "codebook_usage", "perplexity", "gradient_norm", "learning_rate", "images_per_second", "milliseconds"),
                table.columnNames());
        assertEquals(1, table.rowCount());
        assertEquals(7L, table.longColumn("step").get(0));
        for (int column = 1; column < table.columnCount(); column++) {
            assertEquals((double) column, table.doubleColumn(column).get(0), table.column(column).name());
        }
    }

    @Test
    void emptyListGivesEmptyTable() {
        assertEquals(0, Evaluation.toTable("none", List.of()).rowCount());
        assertEquals(11, StepMetrics.toTable("none", List.of()).columnCount());
    }
}
