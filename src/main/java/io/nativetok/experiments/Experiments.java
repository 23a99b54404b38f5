package io.nativetok.experiments;

import io.nativetok.data.Cifar10;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.Preset;
import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import tech.tablesaw.api.Table;

/**
 * The registry of experiment recipes and the runner that prepares their output folder.
 *
 * <p>An output folder belongs to one experiment at one preset, recorded in {@code
 * experiment.json}. Running another experiment or preset there is an error; running the same one
 * again resumes it, and once {@code summary.md} exists the results are final unless {@code force}
 * is set, which deletes the folder's contents and starts over.
 */
public final class Experiments {

    private static final Map<String, Experiment> KNOWN = new LinkedHashMap<>();

    static {
        register(new MainExperiment());
        register(new PositionsExperiment());
        register(new HntExperiment());
        register(new MaskGitStepsExperiment());
    }

    private Experiments() {}

    private static void register(Experiment experiment) {
        KNOWN.put(experiment.name(), experiment);
    }

    /** Returns the known experiments by name. */
    public static Map<String, Experiment> known() {
        return java.util.Collections.unmodifiableMap(KNOWN);
    }

    /**
     * Returns the experiment called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Experiment byName(String name) {
        Experiment experiment = KNOWN.get(name);
        if (experiment == null) {
            throw new IllegalArgumentException(
                    "Unknown experiment '" + name + "': expected one of " + String.join(", ", KNOWN.keySet()) + ".");
        }
        return experiment;
    }

    /**
     * Runs a recipe on CIFAR-10 at its preset's budget and returns its tables.
     *
     * @param cifar10 the folder with the CIFAR-10 binary files
     * @param command the command line to record in the summary
     */
    public static Map<String, Table> run(
            String name, Preset preset, Path out, Path cifar10, boolean force, PrintStream log, String command) {
        return recipe(name).preset(preset).out(out).data(cifar10).force(force).log(log).command(command).run();
    }

    /**
     * Runs a recipe on CIFAR-10 at its preset's budget and returns its tables, loading finished
     * tokenizers from another recipe's output folder instead of training them.
     *
     * @see Runner#tokenizersFrom
     */
    public static Map<String, Table> run(String name, Preset preset, Path out, Path cifar10, boolean force,
            PrintStream log, String command, Path tokenizersFrom) {
        return recipe(name).preset(preset).out(out).data(cifar10).force(force).log(log).command(command)
                .tokenizersFrom(tokenizersFrom).run();
    }

    /**
     * Returns a runner for the recipe {@code name}, to be given at least its output folder and
     * data folder.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Runner recipe(String name) {
        return new Runner(byName(name));
    }

    /** The settings of one recipe run. {@link #run} starts or resumes it. */
    public static final class Runner {

        private final Experiment experiment;
        private Preset preset = Preset.CIFAR10;
        private Budget budget;
        private Path out;
        private Path cifar10;
        private boolean force;
        private PrintStream log = System.err;
        private String command;
        private Path tokenizersFrom;

        private Runner(Experiment experiment) {
            this.experiment = experiment;
        }

        /** Sets the preset (default CIFAR10). */
        public Runner preset(Preset preset) {
            this.preset = preset;
            return this;
        }

        /** Sets the budget (default: the preset's, {@link Budget#forPreset}). */
        public Runner budget(Budget budget) {
            this.budget = budget;
            return this;
        }

        /** Sets the output folder. */
        public Runner out(Path out) {
            this.out = out;
            return this;
        }

        /** Sets the folder with the CIFAR-10 binary files. */
        public Runner data(Path cifar10) {
            this.cifar10 = cifar10;
            return this;
        }

        /** Deletes the output folder's earlier results first when {@code force} is true. */
        public Runner force(boolean force) {
            this.force = force;
            return this;
        }

        /** Sets the stream for progress lines (default standard error). */
        public Runner log(PrintStream log) {
            this.log = log;
            return this;
        }

        /** Sets the command line recorded in the summary (default: a description of the call). */
        public Runner command(String command) {
            this.command = command;
            return this;
        }

        /**
         * Loads finished tokenizers from another recipe's output folder instead of training them.
         * That folder must be at the same preset and budget, e.g. {@code main}'s, with every
         * tokenizer finished. With {@code null} (the default) the recipe trains its own.
         */
        public Runner tokenizersFrom(Path folder) {
            this.tokenizersFrom = folder;
            return this;
        }

        /** Runs the recipe, resuming an interrupted run in the output folder, and returns its tables. */
        public Map<String, Table> run() {
            if (out == null || cifar10 == null) {
                throw new IllegalStateException("Missing output or data folder: call out(...) and data(...) before run().");
            }
            Budget chosen = budget == null ? Budget.forPreset(preset) : budget;
            String recorded = command == null ? "Experiments.recipe(\"" + experiment.name() + "\")" : command;
            return Experiments.run(experiment, preset, chosen, out, cifar10, force, log, recorded, tokenizersFrom);
        }
    }

    private static Map<String, Table> run(Experiment experiment, Preset preset, Budget budget, Path out, Path cifar10,
            boolean force, PrintStream log, String command, Path tokenizersFrom) {
        String name = experiment.name();
        if (tokenizersFrom != null && !Files.isDirectory(tokenizersFrom)) {
            throw new IllegalArgumentException("Invalid tokenizer folder " + tokenizersFrom
                    + ": it does not exist. Give the --out folder of a recipe that trained the tokenizers.");
        }
        if (tokenizersFrom != null && tokenizersFrom.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("Invalid tokenizer folder " + tokenizersFrom
                    + ": it is the output folder itself. Give the --out folder of another recipe.");
        }
        if (tokenizersFrom != null) {
            checkTokenizerFolder(tokenizersFrom, preset);
        }
        if (preset == Preset.IMAGENET256) {
            throw new IllegalArgumentException(
                    "Invalid preset imagenet256 for the recipes: they train on CIFAR-10 at 32 x 32. Use tiny or"
                            + " cifar10; ImageNet-scale runs need a GPU and an ImageNet training folder.");
        }
        prepareFolder(experiment, preset, budget, out, force);
        ImageSet train = limit(Cifar10.load(cifar10, Cifar10.Split.TRAIN), budget.trainImages());
        ImageSet evaluation = limit(Cifar10.load(cifar10, Cifar10.Split.TEST_EXACT), budget.evaluationImages());
        ExperimentContext context =
                new ExperimentContext(name, preset, budget, out, train, evaluation, log, tokenizersFrom);
        long start = System.nanoTime();
        experiment.run(context);
        context.recordStage("whole recipe (this invocation)", start);
        context.writeSummary(command);
        return context.tables();
    }

    /** Rejects a tokenizer folder that is not a recipe's output folder at {@code preset}. */
    private static void checkTokenizerFolder(Path folder, Preset preset) {
        Map<?, ?> recorded = readMarker(folder);
        if (recorded == null) {
            throw new IllegalArgumentException("Invalid tokenizer folder " + folder + ": it has no experiment.json, so"
                    + " it is not the --out folder of a recipe. Give the --out folder of a main or positions run.");
        }
        if (!preset.id().equals(recorded.get("preset"))) {
            throw new IllegalArgumentException("Invalid tokenizer folder " + folder + ": it contains a run at preset '"
                    + recorded.get("preset") + "', but this run uses '" + preset.id() + "'. Give the --out folder of a"
                    + " main or positions run at the same preset.");
        }
    }

    /** Returns the contents of a recipe folder's experiment.json, or null when it has none. */
    static Map<?, ?> readMarker(Path folder) {
        Path marker = folder.resolve("experiment.json");
        if (!Files.isRegularFile(marker)) {
            return null;
        }
        try {
            return new com.google.gson.Gson().fromJson(Files.readString(marker), Map.class);
        } catch (IOException | RuntimeException e) {
            throw new NativeTokException("Failed to read " + marker + ": " + e.getMessage()
                    + ". The folder's experiment.json is damaged; rerun that recipe with --force.", e);
        }
    }

    private static ImageSet limit(ImageSet set, int count) {
        return count <= 0 || count >= set.size() ? set : ImageSets.subset(set, 0, count);
    }

    private static void prepareFolder(Experiment experiment, Preset preset, Budget budget, Path out, boolean force) {
        Path marker = out.resolve("experiment.json");
        String expected = experiment.name() + " " + preset.id();
        try {
            if (Files.isRegularFile(marker)) {
                Map<?, ?> recorded = new com.google.gson.Gson().fromJson(Files.readString(marker), Map.class);
                String found = recorded.get("experiment") + " " + recorded.get("preset");
                boolean finished = Files.isRegularFile(out.resolve("summary.md"));
                if (!found.equals(expected) && !force) {
                    throw new NativeTokException(
                            "Output folder " + out + " contains results of experiment '" + found + "', not '"
                                    + expected + "'. Choose another --out, or pass --force to delete them.");
                }
                if (finished && !force) {
                    throw new NativeTokException(
                            "Output folder " + out + " already contains the finished results of '" + expected
                                    + "' (summary.md). Pass --force to delete them and run again.");
                }
                if (!force) {
                    checkSameBudget(out, recordedBudget(marker, recorded, preset), budget);
                }
                if (force) {
                    deleteContents(out);
                }
            } else if (Files.isDirectory(out) && !isEmpty(out) && !force) {
                throw new NativeTokException(
                        "Output folder " + out + " is not empty and was not made by an experiment. Choose an empty"
                                + " or new --out, or pass --force to delete its contents.");
            } else if (force && Files.isDirectory(out)) {
                deleteContents(out);
            }
            Files.createDirectories(out);
            Map<String, Object> contents = new LinkedHashMap<>();
            contents.put("experiment", experiment.name());
            contents.put("preset", preset.id());
            contents.put("budget", budget.toMap());
            ExperimentContext.writeJson(marker, contents);
        } catch (IOException e) {
            throw new NativeTokException(
                    "Cannot prepare output folder " + out + ": " + e.getMessage() + ". Choose a writable --out.", e);
        }
    }

    /** Returns the budget in a folder's experiment.json; folders written before budgets were recorded ran the preset's. */
    private static Budget recordedBudget(Path marker, Map<?, ?> recorded, Preset preset) {
        if (!(recorded.get("budget") instanceof Map<?, ?> values)) {
            return Budget.forPreset(preset);
        }
        Map<String, Number> numbers = new LinkedHashMap<>();
        values.forEach((key, value) -> numbers.put(String.valueOf(key), value instanceof Number n ? n : null));
        try {
            return Budget.fromMap(numbers);
        } catch (IllegalArgumentException e) {
            throw new NativeTokException("Invalid budget in " + marker + ": " + e.getMessage() + " Rerun the recipe"
                    + " with --force to start the folder again.", e);
        }
    }

    /** Rejects resuming a run with another budget, because its finished stages used the recorded one. */
    private static void checkSameBudget(Path out, Budget recorded, Budget budget) {
        if (recorded.equals(budget)) {
            return;
        }
        throw new NativeTokException("Output folder " + out + " contains a run with budget "
                + recorded.differencesFrom(budget) + ", but this run asks for " + budget.differencesFrom(recorded)
                + ". Resume with the recorded budget (--budget), choose another --out, or pass --force to delete"
                + " the earlier results.");
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void deleteContents(Path folder) throws IOException {
        try (Stream<Path> entries = Files.walk(folder)) {
            for (Path path : entries.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(folder)) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Returns the summary text of a finished recipe folder. */
    public static String summary(Path out) throws IOException {
        return Files.readString(out.resolve("summary.md"), StandardCharsets.UTF_8);
    }
}
