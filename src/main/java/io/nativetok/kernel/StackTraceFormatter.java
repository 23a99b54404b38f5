package io.nativetok.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jshell.EvalException;
import jdk.jshell.JShellException;

/**
 * Formats an exception thrown by cell code as Java prints it, with frames of cell code named by
 * cell and line instead of JShell's hidden wrapper classes.
 *
 * <p>JShell has already cut the frames of its own machinery and names a cell frame with the file
 * name {@code #<snippet id>} and a line counted from the snippet's first line.
 */
final class StackTraceFormatter {

    /**
     * JShell's wrapper class prefix in exception messages, as in {@code "REPL.$JShell$25.s" is null}
     * for a variable {@code s} or {@code REPL.$JShell$14$Box} for a class {@code Box}.
     */
    private static final Pattern WRAPPER_PREFIX = Pattern.compile("REPL\\.\\$JShell\\$\\d+[.$]");

    private final Map<String, SnippetLocation> snippetLocations;
    private final int maxFrames;

    StackTraceFormatter(Map<String, SnippetLocation> snippetLocations, int maxFrames) {
        this.snippetLocations = snippetLocations;
        this.maxFrames = maxFrames;
    }

    /** Returns the traceback lines. The first line is the class name and message. */
    List<String> format(JShellException exception) {
        List<String> lines = new ArrayList<>();
        Throwable current = exception;
        for (int depth = 0; current != null && depth < 10; depth++) {
            String header = headline(current);
            lines.add(depth == 0 ? header : "Caused by: " + header);

            StackTraceElement[] frames = current.getStackTrace();
            int shownFrames = Math.min(frames.length, maxFrames);
            for (int i = 0; i < shownFrames; i++) {
                lines.add("    at " + describe(frames[i]));
            }
            if (frames.length > shownFrames) {
                lines.add("    ... " + (frames.length - shownFrames) + " more frames");
            }
            current = current.getCause();
        }
        return lines;
    }

    private static String headline(Throwable throwable) {
        String className = throwable instanceof EvalException
                ? ((EvalException) throwable).getExceptionClassName()
                : throwable.getClass().getName();
        String message = throwable.getMessage();
        if (message == null) {
            return className;
        }
        return className + ": " + WRAPPER_PREFIX.matcher(message).replaceAll("");
    }

    private String describe(StackTraceElement frame) {
        String file = frame.getFileName();
        if (file == null || !file.startsWith("#")) {
            return frame.toString();
        }
        SnippetLocation location = snippetLocations.get(file.substring(1));
        String place;
        if (location == null) {
            place = "snippet " + file;
        } else {
            int line = location.firstLine() + Math.max(1, frame.getLineNumber()) - 1;
            place = location.cellLabel() + ", line " + line;
        }

        String method = frame.getMethodName();
        String owner = frame.getClassName();
        if (method.isEmpty()) {
            return place;
        }
        String name = owner.isEmpty() ? method : owner + "." + method;
        return name + "(" + place + ")";
    }
}
