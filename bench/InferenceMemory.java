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
 * Shows how one evaluation changes the resident memory of a CIFAR10-preset training process. It
 * runs 4 training steps, evaluates N test images (one batch when N is at most 100), runs 4 more
 * steps, and prints VmRSS and its peak VmHWM after each part.
 *
 * <pre>
 * java -cp "target/classes:target/lib/*" bench/InferenceMemory.java CIFAR10_FOLDER N
 * </pre>
 */
public class InferenceMemory {

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp \"target/classes:target/lib/*\" bench/InferenceMemory.java CIFAR10_FOLDER N");
            System.exit(2);
        }
        int evaluated = ProgramArguments.count(args[1], "N");
        ImageSet images = ProgramArguments.cifar10Test(args[0]);
        try (NativeTok tokenizer = NativeTok.builder().preset(Preset.CIFAR10).build();
                TokenizerTrainer trainer = tokenizer.newTrainer(TrainingConfig.forPreset(Preset.CIFAR10))) {
            BatchSampler batches = new BatchSampler(images, 64, 0);
            train(trainer, images, batches);
            System.out.println("after 4 steps:        " + memory());
            TokenizerTrainer.evaluate(tokenizer, ImageSets.subset(images, 0, evaluated), 0);
            System.out.println("after evaluating " + evaluated + ": " + memory());
            train(trainer, images, batches);
            System.out.println("after 4 more steps:   " + memory());
        }
    }

    private static void train(TokenizerTrainer trainer, ImageSet images, BatchSampler batches) {
        for (int i = 0; i < 4; i++) {
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
