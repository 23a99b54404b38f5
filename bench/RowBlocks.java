import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.bench.ProgramArguments;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.nn.RowThreads;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Compares training steps and encode calls of the CIFAR10-preset model with the batch as one pass
 * and as row blocks on one thread per core (RowThreads), alternating the two in one process. After
 * 2 warm-up rounds it prints the medians of ROUNDS calls of each.
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" bench/RowBlocks.java CIFAR10_FOLDER [ROUNDS]
 * </pre>
 */
public class RowBlocks {

    private static final int BATCH = 64;
    private static final int WARMUP = 2;

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: java -cp \"target/classes:target/lib/*\" bench/RowBlocks.java CIFAR10_FOLDER [ROUNDS]");
            System.exit(2);
        }
        int rounds = args.length > 1 ? ProgramArguments.count(args[1], "ROUNDS") : 7;
        ImageSet images = ProgramArguments.cifar10Test(args[0]);
        List<List<Double>> steps = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> encodes = List.of(new ArrayList<>(), new ArrayList<>());
        try (NativeTok tokenizer = NativeTok.builder().preset(Preset.CIFAR10).build();
                NDManager manager = tokenizer.manager().newSubManager();
                TokenizerTrainer trainer = tokenizer.newTrainer(TrainingConfig.forPreset(Preset.CIFAR10))) {
            NDArray x = ImageSets.toArray(manager, images, IntStream.range(0, BATCH).toArray());
            for (int round = 0; round < WARMUP + rounds; round++) {
                for (int blocks = 0; blocks < 2; blocks++) {
                    System.setProperty(RowThreads.PROPERTY, blocks == 1 ? "true" : "false");
                    double step = millis(() -> trainer.step(x));
                    double encode = millis(() -> tokenizer.encode(x));
                    if (round >= WARMUP) {
                        steps.get(blocks).add(step);
                        encodes.get(blocks).add(encode);
                    }
                }
            }
        }
        System.out.printf("row blocks: %d (one per intra-op thread)%n", RowThreads.threads());
        report("training step", steps);
        report("encode", encodes);
    }

    private static double millis(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static void report(String name, List<List<Double>> times) {
        double onePass = median(times.get(0));
        double blocks = median(times.get(1));
        System.out.printf("%s, batch %d: one pass %.0f ms, row blocks %.0f ms, blocks / one pass %.2f%n",
                name, BATCH, onePass, blocks, blocks / onePass);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
