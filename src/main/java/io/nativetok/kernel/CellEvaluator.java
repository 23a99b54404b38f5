package io.nativetok.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * JShell session behind the notebook: evaluates cells, completes code and checks whether code is
 * complete.
 *
 * <p>A cell may contain several statements, imports, method and class declarations, which run one
 * after the other. The first one that fails to compile, throws or is interrupted ends the cell.
 * What the earlier ones defined stays defined. The value of the cell is the value of its last
 * statement when that statement is an expression.
 *
 * <p>Not thread-safe, except {@link #interrupt()}, which any thread may call while a cell runs.
 */
final class CellEvaluator implements AutoCloseable {

    /** Most stack frames shown per exception in a traceback. */
    private static final int MAX_FRAMES = 40;

    private static final String INDENT = "    ";

    private final CellExecutionControl.Provider provider = new CellExecutionControl.Provider();
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final StackTraceFormatter traceFormatter;

    /** Location of each snippet in the notebook, by JShell snippet id, for tracebacks. */
    private final Map<String, SnippetLocation> snippetLocations = new HashMap<>();

    /**
     * Creates a JShell session that compiles against {@code classPath} and runs snippets in this
     * JVM, whose own class path must contain the same entries.
     */
    CellEvaluator(List<String> classPath) {
        shell = JShell.builder().executionEngine(provider, Map.of()).build();
        analysis = shell.sourceCodeAnalysis();
        for (String entry : classPath) {
            shell.addToClasspath(entry);
        }
        traceFormatter = new StackTraceFormatter(snippetLocations, MAX_FRAMES);
    }

    /** Value of a cell: the result object and JShell's text form of it. */
    record CellValue(Object value, String text) {}

    /** Completion candidates and the range of the cell that a chosen candidate replaces. */
    record Completion(List<String> candidates, int replaceStart, int replaceEnd) {}

    /**
     * Evaluates each source on its own and returns, for each one that JShell rejected, the source
     * and the first compiler message. Used for the session's default imports, where an unknown
     * package must not stop the others.
     */
    List<String> evaluateEach(List<String> sources) {
        List<String> failures = new ArrayList<>();
        for (String source : sources) {
            for (SnippetEvent event : shell.eval(source)) {
                if (event.causeSnippet() == null && event.status() == Snippet.Status.REJECTED) {
                    failures.add(source + ": " + firstDiagnostic(event.snippet()));
                }
            }
        }
        return failures;
    }

    /**
     * Evaluates one notebook cell.
     *
     * @param cell the cell's source
     * @param cellLabel how tracebacks name this cell, such as {@code "cell [3]"}
     * @return the value of the last statement, or empty when it is not an expression
     * @throws CellException when a statement does not compile, throws or is interrupted
     */
    Optional<CellValue> eval(String cell, String cellLabel) {
        CellExecutionControl control = provider.control();
        control.resetForNextSnippet(true);

        Optional<CellValue> value = Optional.empty();
        String rest = cell;
        while (true) {
            if (control.stopRequested()) {
                throw interrupted(cellLabel);
            }
            CompletionInfo info = analysis.analyzeCompletion(rest);
            Completeness completeness = info.completeness();
            if (completeness == Completeness.EMPTY) {
                return value;
            }
            int start = cell.length() - rest.length();
            if (!completeness.isComplete()) {
                throw incomplete(cell, start, cellLabel);
            }
            value = evalSnippet(cell, start, info.source(), cellLabel);
            rest = info.remaining();
        }
    }

    private Optional<CellValue> evalSnippet(String cell, int start, String source, String cellLabel) {
        CellExecutionControl control = provider.control();
        control.resetForNextSnippet(false);
        List<SnippetEvent> events = shell.eval(source);
        if (control.stopRequested()) {
            throw interrupted(cellLabel);
        }

        Optional<CellValue> value = Optional.empty();
        for (SnippetEvent event : events) {
            if (event.causeSnippet() != null) {
                continue; // an earlier snippet that this one updated or replaced
            }
            Snippet snippet = event.snippet();
            int firstLine = lineOf(cell, start + leadingWhitespace(source));
            snippetLocations.put(snippet.id(), new SnippetLocation(cellLabel, firstLine));

            if (event.status() == Snippet.Status.REJECTED) {
                throw compilationError(cell, start, snippet, cellLabel);
            }
            if (event.exception() != null) {
                throw executionError(event.exception());
            }
            warnIfUnresolved(snippet, event.status());
            if (isValueSubKind(snippet.subKind())) {
                value = Optional.of(new CellValue(control.lastValue(), event.value()));
            }
        }
        return value;
    }

    /**
     * Returns completion candidates for the code at {@code cursor}, using the statement of the cell
     * that contains the cursor.
     */
    Completion complete(String cell, int cursor) {
        SnippetRange range = snippetAt(cell, cursor);
        String snippet = cell.substring(range.start(), range.end());
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions =
                analysis.completionSuggestions(snippet, cursor - range.start(), anchor);

        Set<String> matchingType = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        for (SourceCodeAnalysis.Suggestion suggestion : suggestions) {
            (suggestion.matchesType() ? matchingType : others).add(suggestion.continuation());
        }
        List<String> candidates = new ArrayList<>(matchingType);
        others.removeAll(matchingType);
        candidates.addAll(others);
        return new Completion(candidates, range.start() + anchor[0], cursor);
    }

    /**
     * Returns the signatures, and Javadoc where the JDK has it, of what the code at {@code cursor}
     * calls or names.
     */
    List<String> documentation(String cell, int cursor) {
        SnippetRange range = snippetAt(cell, cursor);
        String snippet = cell.substring(range.start(), range.end());
        List<String> lines = new ArrayList<>();
        for (SourceCodeAnalysis.Documentation doc :
                analysis.documentation(snippet, cursor - range.start(), true)) {
            lines.add(doc.signature());
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                lines.add(doc.javadoc());
            }
        }
        return lines;
    }

    /**
     * Returns {@code BaseKernel.IS_COMPLETE_YES} when the cell can run as it is, {@code
     * IS_COMPLETE_BAD} when no continuation can make it compile, or otherwise the indentation for
     * the next line of an unfinished statement.
     */
    String isComplete(String cell) {
        String rest = cell;
        CompletionInfo info = analysis.analyzeCompletion(rest);
        while (info.completeness().isComplete() && info.completeness() != Completeness.UNKNOWN) {
            rest = info.remaining();
            info = analysis.analyzeCompletion(rest);
        }
        switch (info.completeness()) {
            case EMPTY:
                return BaseKernel.IS_COMPLETE_YES;
            case UNKNOWN:
                return BaseKernel.IS_COMPLETE_BAD;
            default:
                return nextLineIndent(rest);
        }
    }

    /** Stops the running statement and skips the rest of the cell. Does nothing when idle. */
    void interrupt() {
        CellExecutionControl control = provider.control();
        if (control != null) {
            control.stop();
        }
    }

    @Override
    public void close() {
        shell.close();
    }

    private static boolean isValueSubKind(Snippet.SubKind subKind) {
        switch (subKind) {
            case TEMP_VAR_EXPRESSION_SUBKIND:
            case VAR_VALUE_SUBKIND:
            case OTHER_EXPRESSION_SUBKIND:
                return true;
            default:
                return false;
        }
    }

    /** Prints a note when a declaration compiled but uses names that do not exist yet. */
    private void warnIfUnresolved(Snippet snippet, Snippet.Status status) {
        boolean recoverable = status == Snippet.Status.RECOVERABLE_DEFINED
                || status == Snippet.Status.RECOVERABLE_NOT_DEFINED;
        if (!recoverable || !(snippet instanceof DeclarationSnippet)) {
            return;
        }
        List<String> missing = shell.unresolvedDependencies((DeclarationSnippet) snippet).toList();
        if (!missing.isEmpty()) {
            System.err.println("Note: " + describe(snippet) + " was created, but cannot be used"
                    + " until " + String.join(", ", missing) + " is declared.");
        }
    }

    private CellException compilationError(String cell, int start, Snippet snippet, String cellLabel) {
        List<String> lines = new ArrayList<>();
        String headline = null;
        List<Diag> diagnostics = shell.diagnostics(snippet).filter(Diag::isError).toList();
        for (Diag diag : diagnostics) {
            long position = diag.getStartPosition() >= 0 ? diag.getStartPosition() : diag.getPosition();
            long end = Math.max(diag.getEndPosition(), position + 1);
            int cellStart = (int) Math.min(cell.length(), start + Math.max(0, position));
            int cellEnd = (int) Math.min(cell.length(), start + end);
            int line = lineOf(cell, cellStart);

            List<String> message = cleanDiagnostic(diag.getMessage(Locale.ROOT));
            if (headline == null) {
                headline = cellLabel + ", line " + line + ": " + message.get(0);
            }
            lines.add("Compilation error in " + cellLabel + ", line " + line + ": " + message.get(0));
            for (String detail : message.subList(1, message.size())) {
                lines.add(detail);
            }
            lines.add(INDENT + sourceLine(cell, cellStart));
            lines.add(INDENT + caret(cell, cellStart, cellEnd));
        }
        if (headline == null) {
            // JShell rejected the snippet without an error diagnostic, for example a duplicate.
            headline = cellLabel + ": JShell rejected " + describe(snippet);
            lines.add(headline);
        }
        return new CellCompilationException(headline, lines);
    }

    private CellException executionError(JShellException exception) {
        if (exception instanceof UnresolvedReferenceException) {
            DeclarationSnippet snippet = ((UnresolvedReferenceException) exception).getSnippet();
            List<String> missing = shell.unresolvedDependencies(snippet).toList();
            String message = describe(snippet) + " cannot run until " + String.join(", ", missing)
                    + " is declared. Declare it, then run the cell again.";
            return new CellExecutionException(message, List.of(message));
        }
        List<String> lines = traceFormatter.format(exception);
        String message = lines.get(0);
        if (message.startsWith(OutOfMemoryError.class.getName())) {
            long maxHeapMiB = Runtime.getRuntime().maxMemory() >> 20;
            lines = new ArrayList<>(lines);
            lines.add("The kernel's maximum Java heap is " + maxHeapMiB + " MiB. Set variables that"
                    + " hold large objects to null, or reinstall the kernel with a larger --max-heap.");
        }
        return new CellExecutionException(message, lines);
    }

    private static CellException interrupted(String cellLabel) {
        String message = "Interrupted: " + cellLabel + " was stopped before it finished."
                + " Variables keep the values they had when it stopped.";
        return new CellInterruptedException(message, List.of(message));
    }

    private static CellException incomplete(String cell, int start, String cellLabel) {
        int offset = start + leadingWhitespace(cell.substring(start));
        int line = lineOf(cell, offset);
        String message = cellLabel + ", line " + line + ": the cell ends inside an unfinished"
                + " statement or declaration. Add the missing ';', ')' or '}' and run it again.";
        return new CellCompilationException(
                message, List.of(message, INDENT + sourceLine(cell, offset)));
    }

    private String firstDiagnostic(Snippet snippet) {
        return shell.diagnostics(snippet)
                .map(diag -> cleanDiagnostic(diag.getMessage(Locale.ROOT)).get(0))
                .findFirst()
                .orElse("rejected");
    }

    /**
     * Splits a javac message into lines and drops the "location: class" line that names JShell's
     * hidden wrapper class.
     */
    private static List<String> cleanDiagnostic(String message) {
        List<String> lines = new ArrayList<>();
        for (String line : message.split("\\R")) {
            if (!line.strip().equals("location: class") && !line.isBlank()) {
                lines.add(line);
            }
        }
        if (lines.isEmpty()) {
            lines.add(message.strip());
        }
        return lines;
    }

    private static String describe(Snippet snippet) {
        if (snippet instanceof DeclarationSnippet) {
            String kind = snippet.kind().name().toLowerCase(Locale.ROOT).replace("type_decl", "type");
            return kind + " " + ((DeclarationSnippet) snippet).name();
        }
        return "statement '" + snippet.source().strip() + "'";
    }

    private SnippetRange snippetAt(String cell, int cursor) {
        int start = 0;
        String rest = cell;
        while (true) {
            CompletionInfo info = analysis.analyzeCompletion(rest);
            if (!info.completeness().isComplete()) {
                return new SnippetRange(start, cell.length());
            }
            int end = cell.length() - info.remaining().length();
            if (cursor <= end || info.remaining().isEmpty()) {
                return new SnippetRange(start, Math.max(end, Math.min(cursor, cell.length())));
            }
            start = end;
            rest = info.remaining();
        }
    }

    private record SnippetRange(int start, int end) {}

    private static String nextLineIndent(String unfinished) {
        String[] lines = unfinished.split("\\R", -1);
        String last = lines[lines.length - 1];
        String indent = last.substring(0, leadingWhitespace(last));
        String trimmed = last.strip();
        boolean opens = trimmed.endsWith("{") || trimmed.endsWith("(");
        return opens ? indent + INDENT : indent;
    }

    private static int leadingWhitespace(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Returns the 1-based line number of {@code offset} in {@code text}. */
    static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String sourceLine(String text, int offset) {
        int from = offset == 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
        int to = text.indexOf('\n', from);
        return text.substring(from, to < 0 ? text.length() : to).stripTrailing();
    }

    /** Returns spaces up to {@code start} and carets under the characters to {@code end}. */
    private static String caret(String text, int start, int end) {
        int lineStart = start == 0 ? 0 : text.lastIndexOf('\n', start - 1) + 1;
        int lineEnd = text.indexOf('\n', start);
        int stop = Math.min(end, lineEnd < 0 ? text.length() : lineEnd);
        StringBuilder marker = new StringBuilder();
        for (int i = lineStart; i < start; i++) {
            marker.append(text.charAt(i) == '\t' ? '\t' : ' ');
        }
        marker.append("^".repeat(Math.max(1, stop - start)));
        return marker.toString();
    }
}
