package io.nativetok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.TestData;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenize, train-generator and sample commands on real CIFAR-10 images at the TINY size. */
class GeneratorCommandsTest {

    @TempDir static Path folder;

    private static Path tokenizer;
    private static Path otherTokenizer;
    private static Path tokens;
    private static Path arRun;
    private static Path maskGitRun;

    @BeforeAll
    static void trainTinyGenerators() {
        tokenizer = folder.resolve("tok.ckpt");
        otherTokenizer = folder.resolve("other.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).seed(0).build();
                NativeTok other = NativeTok.builder().preset(Preset.TINY).seed(1).build()) {
            tok.save(tokenizer);
            other.save(otherTokenizer);
        }
        tokens = folder.resolve("test.tokens");
        TrainCommandTest.Run tokenized = TrainCommandTest.run("tokenize", "--tokenizer", tokenizer.toString(),
                "--out", tokens.toString(), "--split", "test", "--images", "64",
                "--data", TestData.cifar10().toString());
        assertEquals(0, tokenized.exitCode(), tokenized.err());
        assertTrue(tokenized.out().contains("Wrote 64 rows of 8 tokens"), tokenized.out());

        arRun = folder.resolve("ar");
        maskGitRun = folder.resolve("maskgit");
        for (String kind : List.of("ar", "maskgit")) {
            Path out = kind.equals("ar") ? arRun : maskGitRun;
            TrainCommandTest.Run trained = TrainCommandTest.run(trainArguments(kind, out));
            assertEquals(0, trained.exitCode(), trained.err());
        }
    }

    private static String[] trainArguments(String kind, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train-generator", "--kind", kind, "--preset", "tiny",
                "--tokens", tokens.toString(), "--validation", tokens.toString(), "--out", out.toString(),
                "--steps", "4", "--batch-size", "16", "--eval-every", "2", "--checkpoint-every", "2"));
        return override(args, extra);
    }

    /** Appends options, replacing the value of an option that is already present. */
    private static String[] override(List<String> args, String... extra) {
        for (int i = 0; i < extra.length; i++) {
            boolean hasValue = i + 1 < extra.length && !extra[i + 1].startsWith("--");
            int existing = args.indexOf(extra[i]);
            if (hasValue && existing >= 0) {
                args.set(existing + 1, extra[i + 1]);
            } else {
                args.add(extra[i]);
                if (hasValue) {
                    args.add(extra[i + 1]);
                }
            }
            if (hasValue) {
                i++;
            }
        }
        return args.toArray(String[]::new);
    }

    private static String[] sampleArguments(Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("sample", "--generator", run.resolve("generator.ckpt").toString(),
                "--tokenizer", tokenizer.toString(), "--out", folder.resolve("samples.png").toString(),
                "--per-class", "2"));
        return override(args, extra);
    }

    private static void assertOneLineError(TrainCommandTest.Run run, String expected) {
        assertEquals(1, run.exitCode(), run.err());
        String err = run.err().strip();
        assertTrue(err.startsWith("error: "), err);
        assertEquals(1, err.lines().count(), "expected one line: " + err);
        assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
    }

    @Test
    void trainingWritesRunFiles() throws Exception {
        for (Path run : List.of(arRun, maskGitRun)) {
            for (String name : List.of("config.json", "metrics.csv", "evaluations.csv", "generator.ckpt",
                    "checkpoints/step-0000004.ckpt")) {
                assertTrue(Files.isRegularFile(run.resolve(name)), run.resolve(name) + " missing");
            }
            assertEquals(5, Files.readAllLines(run.resolve("metrics.csv")).size(), "header plus 4 steps");
            assertEquals(3, Files.readAllLines(run.resolve("evaluations.csv")).size(), "header plus 2 evaluations");
        }
    }

    @Test
    void sampleWritesGridPerClass() throws Exception {
        for (Path run : List.of(arRun, maskGitRun)) {
            TrainCommandTest.Run sampled = TrainCommandTest.run(sampleArguments(run, "--classes", "0,3,9", "--cfg", "2",
                    "--top-k", "8", "--steps", "4"));
            assertEquals(0, sampled.exitCode(), sampled.err());
            assertTrue(sampled.out().contains("Sampled 6 images"), sampled.out());
            BufferedImage grid = ImageIO.read(folder.resolve("samples.png").toFile());
            assertTrue(grid.getHeight() > 3 * 32, "three rows of 32-pixel images expected, height " + grid.getHeight());
        }
    }

    @Test
    void resumeContinuesFromCheckpoint() {
        Path out = folder.resolve("resumed");
        assertEquals(0, TrainCommandTest.run(trainArguments("ar", out)).exitCode());
        TrainCommandTest.Run resumed = TrainCommandTest.run(trainArguments("ar", out, "--resume", "--steps", "6"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("at step 4"), resumed.out());
        TrainCommandTest.Run again = TrainCommandTest.run(trainArguments("ar", out));
        assertOneLineError(again, "already contains a run");
    }

    @Test
    void tokensOfAnotherTokenizerAreRejected() {
        TrainCommandTest.Run training = TrainCommandTest.run(trainArguments("ar", folder.resolve("mismatch"),
                "--tokenizer", otherTokenizer.toString()));
        assertOneLineError(training, "was made by another tokenizer");

        List<String> args = new ArrayList<>(List.of(sampleArguments(arRun)));
        args.set(args.indexOf("--tokenizer") + 1, otherTokenizer.toString());
        assertOneLineError(TrainCommandTest.run(args.toArray(String[]::new)), "is not the one the generator was trained with");
    }

    @Test
    void corruptedTokenFileIsRejected() throws Exception {
        Path corrupted = folder.resolve("corrupted.tokens");
        byte[] bytes = Files.readAllBytes(tokens);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(corrupted, bytes);
        List<String> args = new ArrayList<>(List.of(trainArguments("ar", folder.resolve("corrupted"))));
        args.set(args.indexOf("--tokens") + 1, corrupted.toString());
        assertOneLineError(TrainCommandTest.run(args.toArray(String[]::new)), "is corrupted");
    }

    @Test
    void outOfRangeSamplingOptionsAreRejected() {
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--classes", "0,10")),
                "Invalid class id 10 in --classes: expected 0 to 9");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--classes", "-1")),
                "Invalid class id -1 in --classes: expected 0 to 9");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--cfg", "25")),
                "Invalid CFG scale 25.0: expected a value in [0, 20.0]");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--temperature", "0")),
                "Invalid temperature 0.0: expected a value in (0, 10.0]");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--top-k", "100000")),
                "Invalid top-k 100000: expected 0 (keep all ids) or 1 to 64");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--top-k", "-2")), "Invalid top-k -2");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--steps", "0")), "Invalid steps 0");
        assertOneLineError(TrainCommandTest.run(sampleArguments(maskGitRun, "--steps", "9")),
                "Invalid steps 9: expected 1 to 8");
        assertOneLineError(TrainCommandTest.run(sampleArguments(arRun, "--per-class", "0")),
                "Invalid --per-class 0: expected 1 to 64");
    }

    @Test
    void badTrainingOptionsAreRejected() {
        assertOneLineError(TrainCommandTest.run(trainArguments("gan", folder.resolve("gan"))),
                "Unknown generator kind 'gan': expected ar or maskgit");
        assertOneLineError(TrainCommandTest.run(trainArguments("ar", folder.resolve("key"), "--set", "widht=3")),
                "Unknown generator key 'widht'");
        assertOneLineError(TrainCommandTest.run(trainArguments("ar", folder.resolve("heads"), "--set", "heads=3")),
                "Invalid heads 3: width 64 is not divisible by it");
        List<String> missing = new ArrayList<>(List.of(trainArguments("ar", folder.resolve("missing"))));
        missing.set(missing.indexOf("--tokens") + 1, folder.resolve("none.tokens").toString());
        assertOneLineError(TrainCommandTest.run(missing.toArray(String[]::new)), "Token data set not found");
    }
}
