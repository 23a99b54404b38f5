package io.nativetok.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs JShell in the test JVM. Each test uses its own variable names because the session is shared. */
class CellEvaluatorTest {

    private static CellEvaluator evaluator;
    private static int cellCount;

    @BeforeAll
    static void startSession() throws IOException {
        List<String> classPath = new ArrayList<>();
        classPath.add(Path.of("target/classes").toAbsolutePath().toString());
        try (Stream<Path> jars = Files.list(Path.of("target/lib"))) {
            jars.map(jar -> jar.toAbsolutePath().toString()).sorted().forEach(classPath::add);
        }
        evaluator = new CellEvaluator(classPath);
    }

    @AfterAll
    static void closeSession() {
        evaluator.close();
    }

    private static String nextLabel() {
        cellCount++;
        return "cell [" + cellCount + "]";
    }

    private static Optional<CellEvaluator.CellValue> eval(String cell) {
        return evaluator.eval(cell, nextLabel());
    }

    /** Waits until a cell has set the system property {@code key}, so it is past compilation. */
    private static void awaitProperty(String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.getProperty(key) == null) {
            assertTrue(System.nanoTime() < deadline, "the cell did not start within 30 s");
            Thread.sleep(20);
        }
        Thread.sleep(200);
    }

    private static Object valueOf(String cell) {
        return eval(cell).orElseThrow(() -> new AssertionError("no value for: " + cell)).value();
    }

    @Test
    void multiStatementCellReturnsLastValue() {
        Optional<CellEvaluator.CellValue> value = eval(
                "int base = 2;\nint twice(int v) { return 2 * v; }\nclass Box { int get() { return 3; } }\n"
                        + "twice(base) + new Box().get()");

        assertEquals(7, value.orElseThrow().value());
        assertEquals("7", value.orElseThrow().text());
    }

    @Test
    void statementCellHasNoValue() {
        assertTrue(eval("int unused = 1;\nif (unused > 0) { unused = 2; }").isEmpty());
    }

    @Test
    void resultKeptAsObject() {
        Object value = valueOf("new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB)");

        assertInstanceOf(BufferedImage.class, value);
    }

    @Test
    void compileErrorShowsLineAndCaret() {
        CellException error = assertThrows(CellCompilationException.class,
                () -> eval("int kept = 5;\nint broken = missingName + 1;"));

        List<String> lines = error.traceback();
        assertTrue(error.getMessage().contains("line 2: cannot find symbol"), error.getMessage());
        assertTrue(lines.contains("  symbol:   variable missingName"), lines.toString());
        int sourceLine = lines.indexOf("    int broken = missingName + 1;");
        assertTrue(sourceLine > 0, lines.toString());
        assertEquals("                 ^^^^^^^^^^^", lines.get(sourceLine + 1));
        assertEquals(5, valueOf("kept"));
    }

    @Test
    void runtimeErrorNamesCellFrames() {
        String label = "cell [" + (cellCount + 1) + "]";
        CellException error = assertThrows(CellExecutionException.class,
                () -> eval("int divide(int a, int b) {\n    return a / b;\n}\nint numerator = 7;\ndivide(numerator, 0)"));

        List<String> lines = error.traceback();
        assertEquals("java.lang.ArithmeticException: / by zero", lines.get(0));
        assertEquals("    at divide(" + label + ", line 2)", lines.get(1));
        assertEquals("    at " + label + ", line 5", lines.get(2));
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(7, valueOf("numerator"));
    }

    @Test
    void runtimeErrorShowsCause() {
        CellException error = assertThrows(CellExecutionException.class,
                () -> eval("throw new IllegalStateException(\"outer\", new IllegalArgumentException(\"inner\"));"));

        assertTrue(error.getMessage().startsWith("java.lang.IllegalStateException: outer"), error.getMessage());
        assertTrue(error.traceback().contains("Caused by: java.lang.IllegalArgumentException: inner"),
                error.traceback().toString());
    }

    @Test
    void exceptionMessageHidesWrapperClass() {
        CellException error = assertThrows(CellExecutionException.class,
                () -> eval("String nothing = null;\nnothing.length()"));

        assertEquals("java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"nothing\" is null",
                error.getMessage());
    }

    @Test
    void unresolvedMethodNamesMissingDeclaration() {
        eval("void callsLater() { notYetDeclared(); }");

        CellException error = assertThrows(CellExecutionException.class, () -> eval("callsLater();"));

        assertTrue(error.getMessage().contains("method callsLater cannot run until method notYetDeclared()"),
                error.getMessage());
    }

    @Test
    void unfinishedCellReportedAsIncomplete() {
        CellException error = assertThrows(CellCompilationException.class,
                () -> eval("int before = 1;\nfor (int i = 0; i < 3; i++) {"));

        assertTrue(error.getMessage().contains("line 2: the cell ends inside an unfinished statement"),
                error.getMessage());
        assertEquals(1, valueOf("before"));
    }

    @Test
    void interruptStopsLoopAndSkipsRest() throws Exception {
        CompletableFuture<Optional<CellEvaluator.CellValue>> running = CompletableFuture.supplyAsync(
                () -> eval("long spins = 0;\nSystem.setProperty(\"test.loop\", \"running\");\n"
                        + "while (true) { spins++; }\nint afterLoop = 1;"));
        awaitProperty("test.loop");

        evaluator.interrupt();

        Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(Exception.class, () -> running.get(10, TimeUnit.SECONDS)));
        assertInstanceOf(CellInterruptedException.class, failure.getCause());
        assertEquals(true, valueOf("spins > 0"));
        assertThrows(CellCompilationException.class, () -> eval("afterLoop"));
    }

    @Test
    void interruptStopsEmptyLoop() throws Exception {
        CompletableFuture<Optional<CellEvaluator.CellValue>> running = CompletableFuture.supplyAsync(
                () -> eval("System.setProperty(\"test.empty.loop\", \"running\");\nwhile (true) {}"));
        awaitProperty("test.empty.loop");

        evaluator.interrupt();

        Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(Exception.class, () -> running.get(10, TimeUnit.SECONDS)));
        assertInstanceOf(CellInterruptedException.class, failure.getCause());
        assertEquals(3, valueOf("1 + 2"));
    }

    @Test
    void interruptEndsSleepingCell() throws Exception {
        CompletableFuture<Optional<CellEvaluator.CellValue>> running =
                CompletableFuture.supplyAsync(() -> eval("System.setProperty(\"test.sleep\", \"running\");\n"
                        + "Thread.sleep(60_000);"));
        awaitProperty("test.sleep");

        evaluator.interrupt();

        Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(Exception.class, () -> running.get(10, TimeUnit.SECONDS)));
        assertInstanceOf(CellInterruptedException.class, failure.getCause());
    }

    @Test
    void interruptWhenIdleDoesNotStopNextCell() {
        evaluator.interrupt();

        assertEquals(2, valueOf("1 + 1"));
    }

    @Test
    void failedImportReportedOthersApplied() {
        List<String> failures = evaluator.evaluateEach(
                List.of("import io.nativetok.doesnotexist.*;", "import java.util.concurrent.atomic.*;"));

        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).contains("io.nativetok.doesnotexist"), failures.get(0));
        assertEquals(3, valueOf("new AtomicInteger(3).get()"));
    }

    @Test
    void completionFindsImportedProjectClass() {
        evaluator.evaluateEach(List.of("import io.nativetok.util.*;"));

        CellEvaluator.Completion completion = evaluator.complete("NativeTokExc", 12);

        assertTrue(completion.candidates().contains("NativeTokException"), completion.candidates().toString());
        assertEquals(0, completion.replaceStart());
        assertEquals(12, completion.replaceEnd());
    }

    @Test
    void completionUsesStatementAtCursor() {
        String cell = "int first = 1;\n\"abc\".toUpp";

        CellEvaluator.Completion completion = evaluator.complete(cell, cell.length());

        assertTrue(completion.candidates().stream().anyMatch(c -> c.startsWith("toUpperCase(")),
                completion.candidates().toString());
        assertEquals(cell.indexOf("toUpp"), completion.replaceStart());
    }

    @Test
    void isCompleteDistinguishesUnfinishedCode() {
        assertEquals(BaseKernel.IS_COMPLETE_YES, evaluator.isComplete("int done = 1;"));
        assertEquals(BaseKernel.IS_COMPLETE_YES, evaluator.isComplete(""));
        assertEquals("    ", evaluator.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("  ", evaluator.isComplete("int sum = 1 +\n  2 +"));
    }
}
