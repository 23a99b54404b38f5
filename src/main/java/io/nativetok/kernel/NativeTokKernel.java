package io.nativetok.kernel;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.kernel.util.TextColor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jupyter kernel for Java notebooks on this kit: cells run in JShell inside the kernel's JVM, with
 * the kit and its libraries on the class path.
 *
 * <p>The value of a cell's last expression and every {@code display(value)} call show inline:
 * {@code BufferedImage} and XChart charts as PNG, Tablesaw tables as HTML, anything else as text.
 * Compilation errors and exceptions end the cell but leave the session and its variables alive.
 * An interrupt, sent as a Jupyter {@code interrupt_request} or as SIGINT, stops the running cell.
 * Each cell's standard output and error are capped at {@code nativetok.kernel.outputLimitBytes}
 * bytes (system property, default 1 MiB each).
 *
 * <p>Start it with {@link #main} and the connection file path, as the kernelspec written by {@link
 * KernelInstaller} does.
 */
public final class NativeTokKernel extends BaseKernel {

    /** System property with the byte limit on each cell's stdout and stderr. */
    public static final String OUTPUT_LIMIT_PROPERTY = "nativetok.kernel.outputLimitBytes";

    private static final long DEFAULT_OUTPUT_LIMIT_BYTES = 1 << 20;

    /** Rows of a Tablesaw table shown inline. */
    private static final int MAX_TABLE_ROWS = 50;

    /** Interval at which a running cell's output is sent to the notebook. */
    private static final long OUTPUT_INTERVAL_MILLIS = 100;

    /** Packages imported into every session, besides the kit's own packages. */
    private static final List<String> LIBRARY_IMPORTS = List.of(
            "java.util.*",
            "java.util.stream.*",
            "java.nio.file.*",
            "java.awt.image.BufferedImage",
            "ai.djl.ndarray.*",
            "ai.djl.ndarray.types.*",
            "tech.tablesaw.api.*",
            "org.knowm.xchart.*");

    /** Kit packages left out of the session's imports: the kernel itself and the command line. */
    private static final Set<String> EXCLUDED_PACKAGES = Set.of("io.nativetok.kernel", "io.nativetok.cli");

    private static volatile NativeTokKernel running;

    private final CellEvaluator evaluator;
    private final long outputLimitBytes;
    private final ScheduledExecutorService outputTimer;
    private volatile CellStreams cellStreams;

    private NativeTokKernel(CellEvaluator evaluator, long outputLimitBytes) {
        super(
                "nativetok",
                kernelVersion(),
                new LanguageInfo.Builder("java")
                        .version(Runtime.version().toString())
                        .mimetype("text/x-java-source")
                        .fileExtension(".jshell")
                        .pygments("java")
                        .codemirror("text/x-java")
                        .build(),
                List.of(),
                null,
                new JupyterIO(StandardCharsets.UTF_8),
                new CommManager(),
                new Renderer(),
                null,
                new MagicsRegistry(),
                false,
                new StringStyler.Builder()
                        .addPrimaryStyle(TextColor.BOLD_RESET_FG)
                        .addSecondaryStyle(TextColor.BOLD_RED_FG)
                        .addHighlightStyle(TextColor.BOLD_RESET_FG)
                        .build());
        this.evaluator = evaluator;
        this.outputLimitBytes = outputLimitBytes;
        this.outputTimer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "nativetok-output");
            thread.setDaemon(true);
            return thread;
        });
        KernelRenderers.registerAll(renderer, MAX_TABLE_ROWS);
    }

    /**
     * Creates a kernel whose JShell session compiles against {@code classPath}, which must be the
     * class path of this JVM or a part of it.
     */
    public static NativeTokKernel create(List<String> classPath) {
        return new NativeTokKernel(new CellEvaluator(classPath), outputLimitFromProperty());
    }

    /**
     * Starts the kernel on the connection file that Jupyter passes as the only argument, and exits
     * the JVM when Jupyter shuts the kernel down.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("Usage: java -cp <class path> " + NativeTokKernel.class.getName()
                    + " <connection file>\nJupyter starts the kernel this way from its kernelspec;"
                    + " install one with 'nativetok kernel install --user'.");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        // Cell output receives stderr, and so everything that slf4j-simple logs during a cell.
        setPropertyIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // DJL warns that it found no GPU on every machine without one, which adds noise to each notebook.
        setPropertyIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");

        KernelConnectionProperties connection = KernelConnectionProperties.parse(readConnectionFile(args[0]));
        List<String> classPath = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        NativeTokKernel kernel = create(classPath);
        kernel.onStartup();

        JupyterConnection jupyter = new JupyterConnection(connection);
        kernel.becomeHandlerForConnection(jupyter);
        jupyter.connect();
        SigintHandler.install(kernel::interrupt);
        exitWithJupyterParent();
        jupyter.waitUntilClose();

        // Threads that cells started may still run, but the kernel's lifetime ends here.
        System.exit(0);
    }

    /**
     * Ends this JVM when the process that started it ends, so that a killed notebook server leaves
     * no kernel behind. jupyter_client passes its process id in JPY_PARENT_PID.
     */
    private static void exitWithJupyterParent() {
        String parent = System.getenv("JPY_PARENT_PID");
        if (parent == null || parent.isBlank()) {
            return;
        }
        try {
            ProcessHandle.of(Long.parseLong(parent.strip())).ifPresent(handle -> handle.onExit().thenRun(() -> {
                log().warn("Jupyter process {} that started this kernel has ended; exiting", parent);
                System.exit(1);
            }));
        } catch (NumberFormatException e) {
            log().warn("Ignoring JPY_PARENT_PID '{}': not a process id", parent);
        }
    }

    /** Returns the kernel that runs this notebook, or null outside a kernel. */
    static NativeTokKernel running() {
        return running;
    }

    /**
     * Registers this kernel as the notebook's kernel and imports the default packages into the
     * session. An import that fails is logged and skipped.
     */
    @Override
    public void onStartup() {
        super.onStartup();
        running = this;

        List<String> imports = new ArrayList<>();
        imports.add("import static " + Display.class.getName() + ".display;");
        try {
            for (String name : ProjectPackages.find(getClass().getClassLoader(), EXCLUDED_PACKAGES)) {
                imports.add("import " + name + ".*;");
            }
        } catch (RuntimeException e) {
            log().warn("Skipped the kit's packages in the notebook session's imports: listing them failed", e);
        }
        for (String name : LIBRARY_IMPORTS) {
            imports.add("import " + name + ";");
        }
        for (String failure : evaluator.evaluateEach(imports)) {
            log().warn("Skipped a default import of the notebook session: {}", failure);
        }
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        super.onShutdown(isRestarting);
        running = null;
        outputTimer.shutdownNow();
        evaluator.close();
    }

    @Override
    public Object evalRaw(String source) {
        return evaluator.eval(source, currentCellLabel()).map(CellEvaluator.CellValue::value).orElse(null);
    }

    /**
     * Runs a cell and returns its rendered value, or null when the last statement has no value.
     * Sends the cell's pending output first, so that it appears above the value.
     */
    @Override
    public DisplayData eval(String source) {
        try {
            Optional<CellEvaluator.CellValue> value = evaluator.eval(source, currentCellLabel());
            finishCellOutput();
            return value.map(cellValue -> render(cellValue.value(), cellValue.text())).orElse(null);
        } catch (CellException e) {
            finishCellOutput();
            throw e;
        } catch (RuntimeException | Error e) {
            // The Jupyter message loop handles only Exceptions, and an Error would end it.
            finishCellOutput();
            String message = "The kernel failed while running " + currentCellLabel() + ": " + e;
            log().warn(message, e);
            throw new CellExecutionException(message, List.of(message,
                    "The session is still running. If later cells fail too, restart the kernel."));
        }
    }

    /** Shows {@code value} in the running cell's output, for {@link Display#display}. */
    void displayValue(Object value) {
        display(render(value, String.valueOf(value)));
    }

    /** Publishes display data after the output that the cell printed before it. */
    @Override
    public void display(DisplayData data) {
        CellStreams streams = cellStreams;
        if (streams != null) {
            streams.forward();
        }
        super.display(data);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        List<String> documentation = evaluator.documentation(code, at);
        return documentation.isEmpty() ? null : new DisplayData(String.join("\n\n", documentation));
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        CellEvaluator.Completion completion = evaluator.complete(code, at);
        return new ReplacementOptions(completion.candidates(), completion.replaceStart(), completion.replaceEnd());
    }

    @Override
    public String isComplete(String code) {
        return evaluator.isComplete(code);
    }

    /** Stops the running cell, if any. The session and its variables stay. */
    @Override
    public void interrupt() {
        evaluator.interrupt();
    }

    @Override
    public List<String> formatError(Throwable e) {
        if (e instanceof CellException) {
            List<String> traceback = ((CellException) e).traceback();
            List<String> lines = new ArrayList<>();
            lines.add(errorStyler.secondary(traceback.get(0)));
            lines.addAll(traceback.subList(1, traceback.size()));
            return lines;
        }
        return super.formatError(e);
    }

    /**
     * Points System.out and System.err at capped streams for the duration of one cell, and sends
     * their output to the notebook every {@value #OUTPUT_INTERVAL_MILLIS} ms while the cell runs.
     */
    @Override
    protected void replaceOutputStreams(ShellReplyEnvironment env) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;

        CappedOutputStream out = new CappedOutputStream(io.out, "stdout", outputLimitBytes, OUTPUT_INTERVAL_MILLIS);
        CappedOutputStream err = new CappedOutputStream(io.err, "stderr", outputLimitBytes, OUTPUT_INTERVAL_MILLIS);
        CellStreams streams = new CellStreams(out, err);
        streams.timer = outputTimer.scheduleAtFixedRate(
                streams::forward, OUTPUT_INTERVAL_MILLIS, OUTPUT_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        cellStreams = streams;

        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(io.in);

        env.defer(() -> {
            streams.finish();
            cellStreams = null;
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        });
    }

    /**
     * Returns the value as display data: rich types through the renderer, anything else as
     * JShell's text form, which shows array contents and quotes strings.
     */
    private DisplayData render(Object value, String text) {
        if (value instanceof DisplayData) {
            return (DisplayData) value;
        }
        if (value == null) {
            return new DisplayData(capText(text == null ? "null" : text));
        }
        DisplayData data;
        try {
            data = renderer.render(value);
        } catch (RuntimeException e) {
            log().warn("Rendering a {} failed; showing its text form", value.getClass().getName(), e);
            return new DisplayData(capText(text + "\n[Rendering " + value.getClass().getName()
                    + " failed: " + e + "]"));
        }
        if (!hasRichData(data)) {
            data = new DisplayData(text == null ? String.valueOf(value) : text);
        }
        Object plain = data.getData(MIMEType.TEXT_PLAIN);
        if (plain instanceof String) {
            data.putText(capText((String) plain));
        }
        return data;
    }

    private static boolean hasRichData(DisplayData data) {
        for (MIMEType type : List.of(MIMEType.IMAGE_PNG, MIMEType.IMAGE_JPEG, MIMEType.IMAGE_GIF,
                MIMEType.IMAGE_SVG, MIMEType.TEXT_HTML, MIMEType.TEXT_MARKDOWN, MIMEType.TEXT_LATEX,
                MIMEType.APPLICATION_JSON)) {
            if (data.hasDataForType(type)) {
                return true;
            }
        }
        return false;
    }

    private String capText(String text) {
        if (text.length() <= outputLimitBytes) {
            return text;
        }
        return text.substring(0, (int) outputLimitBytes) + "\n[Value truncated: its text form has "
                + text.length() + " characters, " + outputLimitBytes + " are shown.]";
    }

    private void finishCellOutput() {
        CellStreams streams = cellStreams;
        if (streams != null) {
            streams.finish();
        }
    }

    private String currentCellLabel() {
        // handleExecuteRequest increments the counter before it calls eval.
        return "cell [" + (executionCount.get() - 1) + "]";
    }

    private static long outputLimitFromProperty() {
        String value = System.getProperty(OUTPUT_LIMIT_PROPERTY);
        if (value == null) {
            return DEFAULT_OUTPUT_LIMIT_BYTES;
        }
        try {
            long limit = Long.parseLong(value.strip());
            if (limit > 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("System property " + OUTPUT_LIMIT_PROPERTY + " is '" + value
                + "', expected a positive number of bytes such as 1048576. Fix it in the kernelspec's argv.");
    }

    private static String readConnectionFile(String path) throws IOException {
        try {
            return Files.readString(Path.of(path));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path, null, "Jupyter connection file not found. The kernel"
                    + " expects the path that Jupyter substitutes for {connection_file} in kernel.json.");
        }
    }

    private static void setPropertyIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String kernelVersion() {
        String version = NativeTokKernel.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /** Created on first use, after {@link #main} has set the log level. */
    private static Logger log() {
        return LoggerFactory.getLogger(NativeTokKernel.class);
    }

    /** Standard output and error of the running cell. */
    private static final class CellStreams {
        private final CappedOutputStream out;
        private final CappedOutputStream err;
        private volatile ScheduledFuture<?> timer;

        CellStreams(CappedOutputStream out, CappedOutputStream err) {
            this.out = out;
            this.err = err;
        }

        void forward() {
            out.forward();
            err.forward();
        }

        /** Stops the timer and sends what is left. Safe to call more than once. */
        void finish() {
            ScheduledFuture<?> scheduled = timer;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            out.finish();
            err.finish();
        }
    }
}
