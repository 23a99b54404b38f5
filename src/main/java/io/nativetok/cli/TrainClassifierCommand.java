package io.nativetok.cli;

import io.nativetok.data.Cifar10;
import io.nativetok.data.DataLocation;
import io.nativetok.data.ImageSet;
import io.nativetok.metrics.FeatureNetwork;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nativetok train-classifier}: trains the CNN whose features give "classifier FD" and
 * "classifier IS", and saves it once for reuse.
 */
@Command(
        name = "train-classifier",
        mixinStandardHelpOptions = true,
        description = "Train the CIFAR-10 feature network used for classifier FD and classifier IS.")
public final class TrainClassifierCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "File that receives the trained network (.ckpt). Until training finishes, FILE.training"
                    + " holds a checkpoint after every epoch, and the same command resumes from it.")
    private Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10",
            description = "Passes over the 50,000 training images (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
            description = "Images per step (default: ${DEFAULT-VALUE}).")
    private int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "2e-3",
            description = "Peak AdamW learning rate (default: ${DEFAULT-VALUE}).")
    private float learningRate;

    @Option(names = "--train-images", paramLabel = "N",
            description = "Use only the first N training images (default: all).")
    private Integer trainImages;

    @Option(names = "--widths", paramLabel = "A,B,C", defaultValue = "32,64,128", split = ",",
            description = "Channels of the three convolution stages; the last is the feature dimension"
                    + " (default: ${DEFAULT-VALUE}).")
    private int[] widths;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of initialisation, data order and augmentation (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--data", paramLabel = "DIR",
            description = "CIFAR-10 folder (default: $NATIVETOK_DATA, else datasets/cifar10).")
    private Path data;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        FeatureNetwork.TrainingOptions options =
                new FeatureNetwork.TrainingOptions(epochs, batchSize, learningRate, seed);
        Path folder = DataLocation.fromSystem().locateCifar10(data, true, null);
        ImageSet train = Cifar10.load(folder, Cifar10.Split.TRAIN);
        if (trainImages != null) {
            if (trainImages < batchSize || trainImages > train.size()) {
                throw new IllegalArgumentException(
                        "Invalid --train-images " + trainImages + ": expected " + batchSize + " (the batch size) to "
                                + train.size() + ".");
            }
            train = io.nativetok.data.ImageSets.subset(train, 0, trainImages);
        }
        ImageSet test = Cifar10.load(folder, Cifar10.Split.TEST);
        stdout.printf(Locale.ROOT, "Training the feature network on %d images for %d epochs (%s)%n",
                train.size(), epochs, options);
        stdout.flush();
        try (FeatureNetwork network =
                FeatureNetwork.train(new FeatureNetwork.Config(Cifar10.SIDE, Cifar10.CLASS_NAMES.size(), widths), train, test,
                        options, System.err, out.resolveSibling(out.getFileName() + ".training"))) {
            network.save(out);
            stdout.printf(Locale.ROOT, "Test accuracy on %s CIFAR-10 test images: %.2f%%, training took %s s%n",
                    network.meta().get("test-images"),
                    100 * Double.parseDouble(network.meta().get("test-accuracy")),
                    network.meta().get("training-seconds"));
            stdout.printf("Wrote %s%n", out.toAbsolutePath());
        }
        return 0;
    }
}
