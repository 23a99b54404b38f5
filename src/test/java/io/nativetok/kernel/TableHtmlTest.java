package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TableHtmlTest {

    @Test
    void markupInNamesAndCellsEscaped() {
        Table table = Table.create("<script>",
                StringColumn.create("a&b", new String[] {"<i>x</i>", "\"q\" 'r'"}));

        String html = TableHtml.render(table, 10);

        assertTrue(html.contains("<caption>&lt;script&gt;</caption>"), html);
        assertTrue(html.contains("<th>a&amp;b</th>"), html);
        assertTrue(html.contains("<td>&lt;i&gt;x&lt;/i&gt;</td>"), html);
        assertTrue(html.contains("<td>&quot;q&quot; &#39;r&#39;</td>"), html);
        assertFalse(html.contains("<i>"), html);
    }

    @Test
    void rowsCappedWithCount() {
        Table table = Table.create("t", DoubleColumn.create("v", new double[] {1, 2, 3}));

        String html = TableHtml.render(table, 2);

        assertTrue(html.contains(">1</td>"), html);
        assertTrue(html.contains(">2</td>"), html);
        assertFalse(html.contains(">3</td>"), html);
        assertTrue(html.contains("1 more row not shown (3 rows in all)."), html);
    }

    @Test
    void noNoteWhenAllRowsShown() {
        Table table = Table.create("t", DoubleColumn.create("v", new double[] {1, 2}));

        String html = TableHtml.render(table, 2);

        assertFalse(html.contains("not shown"), html);
    }

    @Test
    void numbersRightAlignedMissingEmpty() {
        DoubleColumn values = DoubleColumn.create("v", new double[] {1.5});
        values.appendMissing();
        Table table = Table.create("", values, StringColumn.create("s", new String[] {"x", "y"}));

        String html = TableHtml.render(table, 10);

        assertTrue(html.contains("<td style=\"text-align:right\">1.5</td>"), html);
        assertTrue(html.contains("<td style=\"text-align:right\"></td>"), html);
        assertFalse(html.contains("<caption>"), html);
    }

    @Test
    void negativeMaxRowsRejected() {
        Table table = Table.create("t");

        assertThrows(IllegalArgumentException.class, () -> TableHtml.render(table, -1));
    }
}
