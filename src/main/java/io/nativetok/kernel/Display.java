package io.nativetok.kernel;

/**
 * The {@code display(...)} function of notebook cells, imported statically into every session.
 *
 * <p>Shows a value in the cell's output at the point of the call, rendered like a cell's result:
 * {@code BufferedImage} and XChart charts as PNG, Tablesaw tables as HTML, anything else as text.
 * A cell can call it several times, for example once per training epoch.
 */
public final class Display {

    private Display() {}

    /**
     * Shows {@code value} in the running cell's output. Outside the Jupyter kernel, for example in
     * plain JShell, prints {@code String.valueOf(value)} to standard output instead.
     */
    public static void display(Object value) {
        NativeTokKernel kernel = NativeTokKernel.running();
        if (kernel == null) {
            System.out.println(value);
            return;
        }
        kernel.displayValue(value);
    }
}
