package io.nativetok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {

    @TempDir Path folder;

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        CommandLine commandLine = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String[] tinyRun(Path out, String... extra) {
        return tinyRun(out, 6, extra);
    }

    private String[] tinyRun(Path out, int steps, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "train", "--preset", "tiny", "--steps", String.valueOf(steps), "--eval-every", "3", "--checkpoint-every", "3",
                "--train-images", "64", "--offline", "--data", TestData.cifar10().toString(),
                "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void trainWritesEveryOutput() throws Exception {
        Path out = folder.resolve("run");
        Run result = run(tinyRun(out));
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("train.steps"), "resolved config not printed");
        assertTrue(result.out().contains("Final evaluation on CIFAR-10 test records 0-999"), result.out());
        for (String name : List.of("config.json", "metrics.csv", "evaluations.csv", "tokenizer.ckpt",
                "final-evaluation.json", "reconstructions-step-0000003.png", "reconstructions-step-0000006.png",
                "checkpoints/step-0000006.ckpt")) {
            assertTrue(Files.isRegularFile(out.resolve(name)), name + " missing");
        }
        assertEquals(7, Files.readAllLines(out.resolve("metrics.csv")).size(), "header plus 6 steps");
    }

    @Test
    void existingRunNeedsResumeOrForce() {
        Path out = folder.resolve("run");
        assertEquals(0, run(tinyRun(out)).exitCode());
        Run again = run(tinyRun(out));
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("already contains a run"), again.err());
        assertEquals(0, run(tinyRun(out, "--force")).exitCode());
    }

    @Test
    void resumeContinuesToMoreSteps() throws Exception {
        Path out = folder.resolve("run");
        assertEquals(0, run(tinyRun(out)).exitCode());
        Run resumed = run(tinyRun(out, 9, "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("at step 6"), resumed.out());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(10, rows.size(), "header plus 9 steps, each once");
        assertTrue(rows.get(9).startsWith("9,"), rows.get(9));
    }

    @Test
    void resumeWithOtherModelNamesKeys() {
        Path out = folder.resolve("run");
        assertEquals(0, run(tinyRun(out)).exitCode());
        Run resumed = run(tinyRun(out, "--resume", "--set", "mit.depth=3"));
        assertEquals(1, resumed.exitCode());
        assertTrue(resumed.err().contains("mit.depth: 2 -> 3"), resumed.err());
    }

    @Test
    void badOptionsGiveOneLineErrors() {
        Path out = folder.resolve("bad");
        Run unknownPreset = run("train", "--preset", "huge", "--out", out.toString());
        assertEquals(1, unknownPreset.exitCode());
        assertTrue(unknownPreset.err().startsWith("error: Unknown preset 'huge'"), unknownPreset.err());

        Run unknownKey = run(tinyRun(out, "--set", "mit.widht=3"));
        assertEquals(1, unknownKey.exitCode());
        assertTrue(unknownKey.err().contains("Unknown configuration key 'mit.widht'"), unknownKey.err());

        Run badSet = run(tinyRun(out, "--set", "nonsense"));
        assertEquals(1, badSet.exitCode());
        assertTrue(badSet.err().contains("expected KEY=VALUE"), badSet.err());

        Run negativeSteps = run(tinyRun(folder.resolve("neg"), -5));
        assertEquals(1, negativeSteps.exitCode());
        assertTrue(negativeSteps.err().contains("Invalid steps -5"), negativeSteps.err());

        Run nonNumeric = run("train", "--steps", "ten", "--out", out.toString());
        assertEquals(2, nonNumeric.exitCode());
        assertTrue(nonNumeric.err().contains("ten"), nonNumeric.err());
    }

    @Test
    void missingDataExplainsWhereItLooked() {
        Path empty = folder.resolve("empty");
        Run result = run("train", "--preset", "tiny", "--offline", "--data", empty.toString(),
                "--out", folder.resolve("run").toString());
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains(empty.toString()), result.err());
        assertTrue(result.err().contains("nativetok data download cifar10"), result.err());
        assertTrue(!result.err().contains("\tat "), "stack trace printed: " + result.err());
    }

    @Test
    void hntScheduleRunsAndResumes() throws Exception {
        Path out = folder.resolve("hnt");
        String[] base = {"train", "--preset", "tiny", "--hnt", "4,8", "--hnt-stage-steps", "3",
            "--hnt-fine-tune-steps", "2", "--checkpoint-every", "2", "--eval-every", "0", "--train-images", "64",
            "--offline", "--data", TestData.cifar10().toString(), "--out", out.toString()};
        Run first = run(java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--set", "tokens=8")).toArray(String[]::new));
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("8 steps in all") || first.out().contains("in all"), first.out());
        assertEquals(9, Files.readAllLines(out.resolve("metrics.csv")).size(), "header plus 3 + 3 + 2 steps");
        try (io.nativetok.tokenizer.NativeTok tok = io.nativetok.tokenizer.NativeTok.load(out.resolve("tokenizer.ckpt"))) {
            assertEquals(8, tok.tokens());
        }
    }

    @Test
    void hntScheduleMustEndAtModelLength() {
        Run result = run(tinyRun(folder.resolve("bad-hnt"), "--hnt", "4,16"));
        assertEquals(1, result.exitCode());
        assertTrue(result.err().contains("ends at 16 tokens but the model has 8"), result.err());
        Run decreasing = run(tinyRun(folder.resolve("bad-hnt2"), "--hnt", "8,4,8"));
        assertEquals(1, decreasing.exitCode());
        assertTrue(decreasing.err().contains("4 follows 8"), decreasing.err());
    }
}
