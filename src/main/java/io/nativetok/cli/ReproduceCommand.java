package io.nativetok.cli;

import io.nativetok.data.DataLocation;
import io.nativetok.experiments.Budget;
import io.nativetok.experiments.Experiments;
import io.nativetok.tokenizer.Preset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nativetok reproduce}: runs one of the paper's experiments as a resumable recipe. */
@Command(
        name = "reproduce",
        mixinStandardHelpOptions = true,
        description = "Run an experiment recipe (main, positions, hnt, maskgit-steps). Running it again resumes an"
                + " interrupted run; finished results need --force.")
public final class ReproduceCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "Experiment: main, positions, hnt or maskgit-steps.")
    private String experiment;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "cifar10",
            description = "Preset: tiny (seconds) or cifar10 (hours on a CPU) (default: ${DEFAULT-VALUE}).")
    private String preset;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder of the recipe.")
    private Path out;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 folder (default: $NATIVETOK_DATA, else datasets/cifar10).")
    private Path data;

    @Option(names = "--offline", description = "Never download the data.")
    private boolean offline;

    @Option(names = "--force", description = "Delete the folder's earlier results and run again.")
    private boolean force;

    @Option(names = "--tokenizers-from", paramLabel = "DIR",
            description = "Load the finished tokenizers from this recipe folder (e.g. main's --out at the same"
                    + " preset) instead of training them again.")
    private Path tokenizersFrom;

    @Option(names = "--budget", paramLabel = "NAME=VALUE",
            description = "Change one value of the preset's budget, e.g. --budget tokenizer-steps=1000; repeat for"
                    + " more. Names: tokenizer-steps, generator-steps, generated-images, classifier-epochs,"
                    + " train-images, evaluation-images (0: all), influence-images, influence-replacements.")
    private Map<String, String> budget = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Experiments.byName(experiment);
        Preset chosen = Preset.parse(preset);
        Budget chosenBudget = Budget.forPreset(chosen).with(budget);
        Path cifar10 = DataLocation.fromSystem().locateCifar10(data, offline, null);
        String command = "nativetok " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        Experiments.recipe(experiment).preset(chosen).budget(chosenBudget).out(out).data(cifar10).force(force)
                .log(System.err).command(command).tokenizersFrom(tokenizersFrom).run();
        spec.commandLine().getOut().println("Wrote " + out.resolve("summary.md").toAbsolutePath());
        return 0;
    }
}
