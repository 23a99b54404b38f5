package io.nativetok.cli;

import io.nativetok.data.Cifar10;
import io.nativetok.data.DataLocation;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.generate.TokenDataset;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.util.ProgressBar;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nativetok tokenize}: encodes a CIFAR-10 split with a tokenizer into a token data set. */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Encode a CIFAR-10 split into a token data set for the generators.")
public final class TokenizeCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(names = "--tokenizer", paramLabel = "CKPT", required = true,
            description = "Tokenizer checkpoint, e.g. RUN/tokenizer.ckpt from `nativetok train`.")
    private Path tokenizer;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Token file to write.")
    private Path out;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "train",
            description = "CIFAR-10 split: train (50,000 images) or test (10,000) (default: ${DEFAULT-VALUE}).")
    private String split;

    @Option(names = "--images", paramLabel = "N", description = "Encode only the first N images of the split.")
    private Integer images;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "100",
            description = "Images per encoder call (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 folder (default: $NATIVETOK_DATA, else datasets/cifar10).")
    private Path data;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        Cifar10.Split chosen = switch (split.trim().toLowerCase(Locale.ROOT)) {
            case "train" -> Cifar10.Split.TRAIN;
            case "test" -> Cifar10.Split.TEST;
            default -> throw new IllegalArgumentException(
                    "Invalid --split '" + split + "': expected train or test.");
        };
        if (batchSize < 1) {
            throw new IllegalArgumentException("Invalid --batch-size " + batchSize + ": expected at least 1.");
        }
        ImageSet set = Cifar10.load(DataLocation.fromSystem().locateCifar10(data, true, null), chosen);
        if (images != null) {
            if (images < 1 || images > set.size()) {
                throw new IllegalArgumentException(
                        "Invalid --images " + images + ": expected 1 to " + set.size() + " (the size of the split).");
            }
            set = ImageSets.subset(set, 0, images);
        }
        try (NativeTok tok = NativeTok.load(tokenizer);
                ProgressBar bar = ProgressBar.builder().label("tokenize").total(set.size()).build()) {
            TokenDataset tokens = TokenDataset.tokenize(tok, set, batchSize, bar);
            bar.finish();
            tokens.save(out);
            stdout.printf(Locale.ROOT, "Wrote %d rows of %d tokens (codebook %d, tokenizer %s) to %s%n",
                    tokens.size(), tokens.length(), tokens.codebookSize(),
                    TokenDataset.shortIdentity(tokens.tokenizerIdentity()), out.toAbsolutePath());
        }
        return 0;
    }
}
