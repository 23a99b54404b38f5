package io.nativetok.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import io.nativetok.data.Cifar10;
import io.nativetok.data.DataLocation;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.plot.Plots;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.train.Evaluation;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.util.NativeTokException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nativetok evaluate}: measures a saved tokenizer on CIFAR-10 test records 0-999, the
 * records whose pixels are bit-exact in every copy of the data set.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Measure a tokenizer checkpoint on CIFAR-10 test records 0-999: PSNR, SSIM, MSE,"
                + " codebook usage and perplexity.")
public final class EvaluateCommand implements Callable<Integer> {

    private static final int GRID_IMAGES = 10;

    @Spec private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CKPT",
            description = "Tokenizer checkpoint, e.g. RUN/tokenizer.ckpt or a file in RUN/checkpoints.")
    private Path checkpoint;

    @Option(names = "--images", paramLabel = "N", defaultValue = "1000",
            description = "Evaluate the first N of test records 0-999 (default: ${DEFAULT-VALUE}).")
    private int images;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 folder (default: $NATIVETOK_DATA, else datasets/cifar10).")
    private Path data;

    @Option(names = "--offline", description = "Never download CIFAR-10; fail when no copy is found.")
    private boolean offline;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results to FILE as JSON.")
    private Path json;

    @Option(names = "--grid", paramLabel = "FILE",
            description = "Also write a PNG of the first 10 images above their reconstructions.")
    private Path grid;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        checkCheckpointPath(checkpoint);
        Path dataFolder = DataLocation.fromSystem().locateCifar10(data, offline, null);
        ImageSet exact = Cifar10.load(dataFolder, Cifar10.Split.TEST_EXACT);
        if (images < 1 || images > exact.size()) {
            throw new IllegalArgumentException("Invalid --images " + images + ": expected 1 to " + exact.size()
                    + " (test records 0-999).");
        }
        ImageSet set = ImageSets.subset(exact, 0, images);

        try (NativeTok tokenizer = NativeTok.load(checkpoint)) {
            checkImageSize(tokenizer, set);
            Evaluation evaluation = TokenizerTrainer.evaluate(tokenizer, set, 0);
            stdout.printf(Locale.ROOT, "%s on CIFAR-10 test records 0-%d: PSNR %.2f dB, SSIM %.4f, MSE %.6f,"
                            + " codebook usage %.1f%%, perplexity %.1f%n",
                    checkpoint, images - 1, evaluation.psnr(), evaluation.ssim(), evaluation.mse(),
                    100 * evaluation.codebookUsage(), evaluation.perplexity());
            if (json != null) {
                writeJson(evaluation, dataFolder);
                stdout.println("Wrote " + json.toAbsolutePath());
            }
            if (grid != null) {
                writeGrid(tokenizer, set);
                stdout.println("Wrote " + grid.toAbsolutePath());
            }
        }
        stdout.flush();
        return 0;
    }

    /** Rejects a missing file or a folder, listing the checkpoints that are there. */
    private static void checkCheckpointPath(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return;
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("Invalid checkpoint " + path.toAbsolutePath() + ": it is a folder. Pass"
                    + " one checkpoint file; the folder holds " + describeCheckpoints(path) + ".");
        }
        Path parent = path.toAbsolutePath().getParent();
        String found = parent != null && Files.isDirectory(parent) ? " Checkpoints in " + parent + ": "
                + describeCheckpoints(parent) + "." : "";
        throw new IllegalArgumentException("Tokenizer checkpoint " + path.toAbsolutePath() + " not found. Pass a file"
                + " written by `nativetok train`, such as RUN/tokenizer.ckpt." + found);
    }

    /** Returns the .ckpt files in {@code folder} and in its checkpoints/ subfolder, for a message. */
    private static String describeCheckpoints(Path folder) throws IOException {
        List<String> names = new ArrayList<>();
        for (Path place : List.of(folder, folder.resolve("checkpoints"))) {
            if (!Files.isDirectory(place)) {
                continue;
            }
            try (Stream<Path> files = Files.list(place)) {
                files.filter(f -> f.getFileName().toString().endsWith(".ckpt"))
                        .map(f -> folder.relativize(f).toString())
                        .sorted()
                        .forEach(names::add);
            }
        }
        if (names.isEmpty()) {
            return "none (no .ckpt files)";
        }
        int listed = Math.min(names.size(), 5);
        String list = String.join(", ", names.subList(names.size() - listed, names.size()));
        return names.size() > listed ? list + " and " + (names.size() - listed) + " more" : list;
    }

    private static void checkImageSize(NativeTok tokenizer, ImageSet set) {
        int size = tokenizer.config().imageSize();
        if (size != set.height() || size != set.width()) {
            throw new NativeTokException("The tokenizer takes " + size + " x " + size + " images, but CIFAR-10 images are "
                    + set.height() + " x " + set.width() + ". Evaluate it from Java with TokenizerTrainer.evaluate on"
                    + " images of its size.");
        }
    }

    /** Writes the keys of {@code nativetok train}'s final-evaluation.json, and the checkpoint's path. */
    private void writeJson(Evaluation evaluation, Path dataFolder) throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("checkpoint", checkpoint.toAbsolutePath().toString());
        // Training checkpoints record their step; a final tokenizer.ckpt saved by NativeTok.save does not.
        String step = NativeTok.readMeta(checkpoint).get("step");
        if (step != null) {
            result.put("step", Long.parseLong(step));
        }
        result.put("images", evaluation.images());
        result.put("data", dataFolder.toAbsolutePath() + " (CIFAR-10 test records 0-" + (images - 1) + ")");
        result.put("psnr_db", evaluation.psnr());
        result.put("ssim", evaluation.ssim());
        result.put("mse", evaluation.mse());
        result.put("codebook_usage", evaluation.codebookUsage());
        result.put("perplexity", evaluation.perplexity());
        createParent(json);
        Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(result) + "\n",
                StandardCharsets.UTF_8);
    }

    private void writeGrid(NativeTok tokenizer, ImageSet set) throws IOException {
        int[] indices = IntStream.range(0, Math.min(GRID_IMAGES, set.size())).toArray();
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            NDArray batch = ImageSets.toArray(scope, set, indices);
            BufferedImage picture = Plots.reconstructions(tokenizer, batch);
            createParent(grid);
            ImageIO.write(picture, "png", grid.toFile());
        }
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
