import io.nativetok.bench.ProgramArguments;
import io.nativetok.data.BatchSampler;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shows how evaluations change the resident memory of a CIFAR10-preset training process. It runs
 * ROUNDS times STEPS training steps followed by an evaluation of N test images (in batches of
 * 100), then STEPS more steps, and prints VmRSS and its peak VmHWM after each part. STEPS defaults
 * to 4 and ROUNDS to 1.
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" bench/InferenceMemory.java CIFAR10_FOLDER N [STEPS] [ROUNDS]
 * </pre>
 */
public class InferenceMemory {

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 4) {
            System.err.println(
                    "usage: java -cp \"target/classes:target/lib/*\" bench/InferenceMemory.java CIFAR10_FOLDER N [STEPS] [ROUNDS]");
            System.exit(2);
        }
        int evaluated = ProgramArguments.count(args[1], "N");
        int steps = args.length > 2 ? ProgramArguments.count(args[2], "STEPS") : 4;
        int rounds = args.length > 3 ? ProgramArguments.count(args[3], "ROUNDS") : 1;
        ImageSet images = ProgramArguments.cifar10Test(args[0]);
        try (NativeTok tokenizer = NativeTok.builder().preset(Preset.CIFAR10).build();
                TokenizerTrainer trainer = tokenizer.newTrainer(TrainingConfig.forPreset(Preset.CIFAR10))) {
            BatchSampler batches = new BatchSampler(images, 64, 0);
            for (int round = 0; round < rounds; round++) {
                train(trainer, images, batches, steps);
                System.out.println("after " + steps + " steps:        " + memory());
                TokenizerTrainer.evaluate(tokenizer, ImageSets.subset(images, 0, evaluated), 0);
                System.out.println("after evaluating " + evaluated + ": " + memory());
            }
            train(trainer, images, batches, steps);
            System.out.println("after " + steps + " more steps:   " + memory());
        }
    }

    private static void train(TokenizerTrainer trainer, ImageSet images, BatchSampler batches, int steps) {
        for (int i = 0; i < steps; i++) {
            trainer.step(images, batches.next());
        }
    }

    /** Returns VmRSS and VmHWM of this process in MB. */
    private static String memory() throws Exception {
        long resident = 0;
        long peak = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS")) {
                resident = Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            } else if (line.startsWith("VmHWM")) {
                peak = Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return "resident " + resident + " MB, peak " + peak + " MB";
    }
}
