import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.Cifar10;
import io.nativetok.data.DataException;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Times NativeTok.encode on a batch of CIFAR-10 test images with the CIFAR10-preset model. After
 * one warm-up call it prints the mean of 5 calls, twice. Run it with two builds in turn to compare
 * them:
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" bench/EncodeTime.java CIFAR10_FOLDER [BATCH]
 * </pre>
 */
public class EncodeTime {

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -cp \"target/classes:target/lib/*\" bench/EncodeTime.java CIFAR10_FOLDER [BATCH]");
            System.exit(2);
        }
        int batch = args.length > 1 ? count(args[1], "BATCH") : 64;
        ImageSet images = testImages(args[0]);
        try (NativeTok tokenizer = NativeTok.builder().preset(Preset.CIFAR10).build();
                NDManager manager = tokenizer.manager().newSubManager()) {
            NDArray x = ImageSets.toArray(manager, images, IntStream.range(0, batch).toArray());
            tokenizer.encode(x);
            for (int round = 0; round < 2; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    tokenizer.encode(x);
                }
                double millis = (System.nanoTime() - start) / 1e6 / 5;
                System.out.printf("round %d, batch %d: %.1f ms, %.1f images/s%n", round, batch, millis, batch * 1000 / millis);
            }
        }
    }

    /** Loads the CIFAR-10 test split, or exits with the loader's message. */
    private static ImageSet testImages(String folder) {
        try {
            return Cifar10.load(Path.of(folder), Cifar10.Split.TEST);
        } catch (DataException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return null;
        }
    }

    /** Parses a count argument, or exits with a message naming the bad value. */
    private static int count(String value, String name) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        System.err.println("error: " + name + " is '" + value + "'; expected a whole number of at least 1.");
        System.exit(2);
        return 0;
    }
}
