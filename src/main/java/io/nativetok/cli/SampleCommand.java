package io.nativetok.cli;

import io.nativetok.generate.ArGenerator;
import io.nativetok.generate.Generator;
import io.nativetok.generate.GeneratorConfig;
import io.nativetok.generate.GeneratorKind;
import io.nativetok.generate.GeneratorTrainer;
import io.nativetok.generate.Generators;
import io.nativetok.generate.SamplingOptions;
import io.nativetok.generate.TokenDataset;
import io.nativetok.plot.GeneratorPlots;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.util.NativeTokException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nativetok sample}: draws tokens with a trained generator and decodes them into a PNG grid. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = "Sample images per class with a generator and its tokenizer, written as one PNG grid.")
public final class SampleCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(names = "--generator", paramLabel = "CKPT", required = true,
            description = "Generator checkpoint from `nativetok train-generator`.")
    private Path generatorPath;

    @Option(names = "--tokenizer", paramLabel = "CKPT", required = true,
            description = "The tokenizer whose tokens the generator was trained on.")
    private Path tokenizerPath;

    @Option(names = "--out", paramLabel = "FILE.png", required = true, description = "PNG file to write.")
    private Path out;

    @Option(names = "--classes", paramLabel = "IDS", split = ",",
            description = "Class ids to sample, e.g. 0,3,5 (default: every class).")
    private int[] classes;

    @Option(names = "--per-class", paramLabel = "N", defaultValue = "8",
            description = "Samples per class, 1 to 64 (default: ${DEFAULT-VALUE}).")
    private int perClass;

    @Option(names = "--cfg", paramLabel = "S", defaultValue = "1.0",
            description = "Classifier-free guidance scale in [0, 20]; 1 disables guidance (default: ${DEFAULT-VALUE}).")
    private float cfgScale;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Sampling temperature in (0, 10] (default: ${DEFAULT-VALUE}).")
    private float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Keep the K most likely ids; 0 keeps all (default: ${DEFAULT-VALUE}).")
    private int topK;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "8",
            description = "MaskGIT decoding steps, 1 to L; ignored by the AR generator (default: ${DEFAULT-VALUE}).")
    private int steps;

    @Option(names = "--gumbel", paramLabel = "T", defaultValue = "4.5",
            description = "MaskGIT Gumbel temperature on confidences; 0 disables the noise (default: ${DEFAULT-VALUE}).")
    private float gumbel;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the draws (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--no-cache", description = "AR only: recompute the whole prefix at each step instead of using the key-value cache.")
    private boolean noCache;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        SamplingOptions options = new SamplingOptions(temperature, topK, cfgScale, steps, gumbel, seed);
        if (perClass < 1 || perClass > 64) {
            throw new IllegalArgumentException("Invalid --per-class " + perClass + ": expected 1 to 64.");
        }
        GeneratorConfig config = Generators.readConfig(generatorPath);
        options.check(config);
        int[] chosen = classes == null ? IntStream.range(0, config.classes()).toArray() : classes;
        checkClasses(chosen, config);
        Map<String, String> meta = Generators.readMeta(generatorPath);

        try (NativeTok tokenizer = NativeTok.load(tokenizerPath);
                Generator generator = Generators.load(generatorPath)) {
            checkTokenizer(tokenizer, meta);
            int[] rowClasses = new int[chosen.length * perClass];
            for (int i = 0; i < rowClasses.length; i++) {
                rowClasses[i] = chosen[i / perClass];
            }
            long start = System.nanoTime();
            int[][] tokens = generator instanceof ArGenerator ar && noCache
                    ? ar.sample(rowClasses, options, false)
                    : generator.sample(rowClasses, options);
            double seconds = (System.nanoTime() - start) / 1e9;
            List<String> names = new ArrayList<>(GeneratorTrainer.classNames(meta));
            BufferedImage grid = GeneratorPlots.sampleGrid(tokenizer, tokens, rowClasses, names);
            Path folder = out.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            ImageIO.write(grid, "png", out.toFile());
            stdout.printf(Locale.ROOT, "Sampled %d images with the %s generator in %.1f s (%s)%n",
                    rowClasses.length, config.kind().id(), seconds, describe(options, config.kind()));
            stdout.printf("Wrote %s%n", out.toAbsolutePath());
        }
        return 0;
    }

    private static void checkClasses(int[] chosen, GeneratorConfig config) {
        if (chosen.length == 0) {
            throw new IllegalArgumentException("Invalid --classes: expected at least one class id.");
        }
        for (int c : chosen) {
            if (c < 0 || c >= config.classes()) {
                throw new IllegalArgumentException(
                        "Invalid class id " + c + " in --classes: expected 0 to " + (config.classes() - 1)
                                + " (the generator's " + config.classes() + " classes).");
            }
        }
    }

    private void checkTokenizer(NativeTok tokenizer, Map<String, String> meta) {
        String trainedOn = meta.get(GeneratorTrainer.TOKENIZER_IDENTITY);
        if (trainedOn == null) {
            return;
        }
        String given = TokenDataset.identity(tokenizer);
        if (!given.equals(trainedOn)) {
            throw new NativeTokException(
                    "Tokenizer " + tokenizerPath + " (identity " + TokenDataset.shortIdentity(given) + ") is not the one"
                            + " the generator was trained with (identity " + TokenDataset.shortIdentity(trainedOn)
                            + "). Pass the tokenizer checkpoint whose tokens trained " + generatorPath + ".");
        }
    }

    private static String describe(SamplingOptions options, GeneratorKind kind) {
        return kind == GeneratorKind.AR
                ? String.format(Locale.ROOT, "temperature %.2f, top-k %d, CFG %.2f, seed %d",
                        options.temperature(), options.topK(), options.cfgScale(), options.seed())
                : options.toString();
    }
}
