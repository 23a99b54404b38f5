import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.bench.ProgramArguments;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
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
        int batch = args.length > 1 ? ProgramArguments.count(args[1], "BATCH") : 64;
        ImageSet images = ProgramArguments.cifar10Test(args[0]);
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
}
