package io.nativetok.kernel;

import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.columns.Column;
import tech.tablesaw.table.Relation;

/**
 * HTML rendering of a Tablesaw table for notebooks, which Tablesaw itself does not provide.
 *
 * <p>Shows the table name as the caption, the column names as the header and at most a given
 * number of rows, followed by a line that states how many rows were left out. Numeric columns are
 * right-aligned and missing values are empty cells. All text is HTML-escaped.
 */
final class TableHtml {

    private TableHtml() {}

    /** Returns an HTML {@code <table>} with the first {@code maxRows} rows of {@code table}. */
    static String render(Relation table, int maxRows) {
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows is " + maxRows + ", expected 0 or more");
        }
        StringBuilder html = new StringBuilder();
        html.append("<table class=\"nativetok-table\">\n");
        String name = table.name();
        if (name != null && !name.isBlank()) {
            html.append("<caption>").append(escape(name)).append("</caption>\n");
        }

        html.append("<thead><tr>");
        for (int c = 0; c < table.columnCount(); c++) {
            html.append("<th>").append(escape(table.column(c).name())).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");

        int shownRows = Math.min(maxRows, table.rowCount());
        for (int row = 0; row < shownRows; row++) {
            html.append("<tr>");
            for (int c = 0; c < table.columnCount(); c++) {
                appendCell(html, table.column(c), row);
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table>\n");

        int omitted = table.rowCount() - shownRows;
        if (omitted > 0) {
            html.append("<p>")
                    .append(omitted)
                    .append(omitted == 1 ? " more row" : " more rows")
                    .append(" not shown (")
                    .append(table.rowCount())
                    .append(" rows in all).</p>\n");
        }
        return html.toString();
    }

    private static void appendCell(StringBuilder html, Column<?> column, int row) {
        boolean numeric = column instanceof NumericColumn;
        html.append(numeric ? "<td style=\"text-align:right\">" : "<td>");
        if (!column.isMissing(row)) {
            html.append(escape(column.getString(row)));
        }
        html.append("</td>");
    }

    /** Escapes the characters that HTML text and attribute values treat as markup. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '&':
                    escaped.append("&amp;");
                    break;
                case '<':
                    escaped.append("&lt;");
                    break;
                case '>':
                    escaped.append("&gt;");
                    break;
                case '"':
                    escaped.append("&quot;");
                    break;
                case '\'':
                    escaped.append("&#39;");
                    break;
                default:
                    escaped.append(ch);
            }
        }
        return escaped.toString();
    }
}
