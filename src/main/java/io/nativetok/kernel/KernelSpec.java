package io.nativetok.kernel;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * Contents of a Jupyter {@code kernel.json}: the command that starts the kernel and how
 * notebooks show and interrupt it.
 *
 * @param argv the kernel's command line, in which Jupyter replaces {@code {connection_file}} with
 *     a path
 * @param displayName the name that notebook front ends show, such as "Java (NativeTok)"
 * @param language the language of the cells, "java"
 * @param interruptMode "message" for an {@code interrupt_request} on the control channel, or
 *     "signal" for SIGINT
 */
public record KernelSpec(List<String> argv, String displayName, String language, String interruptMode) {

    public KernelSpec {
        argv = List.copyOf(argv);
    }

    /** Returns the spec as the JSON text of a {@code kernel.json} file. */
    public String toJson() {
        JsonObject json = new JsonObject();
        JsonArray args = new JsonArray();
        argv.forEach(args::add);
        json.add("argv", args);
        json.addProperty("display_name", displayName);
        json.addProperty("language", language);
        json.addProperty("interrupt_mode", interruptMode);
        JsonObject env = new JsonObject();
        // libgomp spin-waiting makes libtorch up to 30x slower when other processes compete for the
        // cores, which is common on a laptop running a notebook server and a browser.
        env.addProperty("OMP_WAIT_POLICY", "PASSIVE");
        // libtorch warns once about a dispatch mode DJL uses; the warning would land in a cell.
        env.addProperty("TORCH_CPP_LOG_LEVEL", "ERROR");
        json.add("env", env);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n";
    }
}
