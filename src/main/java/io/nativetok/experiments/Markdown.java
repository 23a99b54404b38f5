package io.nativetok.experiments;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Renders Tablesaw tables as Markdown, since Tablesaw has no Markdown writer. */
public final class Markdown {

    private Markdown() {}

    /** Returns {@code table} as a Markdown table; numbers are printed with 4 significant digits. */
    public static String table(Table table) {
        StringBuilder text = new StringBuilder("|");
        for (String name : table.columnNames()) {
            text.append(' ').append(name).append(" |");
        }
        text.append("\n|");
        for (int c = 0; c < table.columnCount(); c++) {
            text.append(" --- |");
        }
        text.append('\n');
        for (int row = 0; row < table.rowCount(); row++) {
            text.append('|');
            for (Column<?> column : table.columns()) {
                text.append(' ').append(format(column.get(row))).append(" |");
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static String format(Object value) {
        if (value instanceof Double d) {
            if (d.isNaN()) {
                return "";
            }
            return String.format(java.util.Locale.ROOT, "%.4g", d);
        }
        return String.valueOf(value);
    }
}
