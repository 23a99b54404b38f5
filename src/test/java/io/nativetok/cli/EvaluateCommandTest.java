package io.nativetok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import io.nativetok.cli.TrainCommandTest.Run;
import io.nativetok.data.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate command on a TINY tokenizer trained for a few steps on real CIFAR-10 images. */
class EvaluateCommandTest {

    @TempDir static Path folder;

    private static Path run;

    @BeforeAll
    static void trainTinyTokenizer() {
        run = folder.resolve("run");
        Run trained = TrainCommandTest.run("train", "--preset", "tiny", "--steps", "6", "--eval-every", "0",
                "--checkpoint-every", "3", "--train-images", "64", "--offline", "--data", TestData.cifar10().toString(),
                "--out", run.toString());
        assertEquals(0, trained.exitCode(), trained.err());
    }

    private static Run evaluate(String checkpoint, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "evaluate";
        args[1] = checkpoint;
        args[2] = "--data";
        args[3] = TestData.cifar10().toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        return TrainCommandTest.run(args);
    }

    private static double number(Path json, String key) throws Exception {
        Map<?, ?> map = new Gson().fromJson(Files.readString(json), Map.class);
        return ((Number) map.get(key)).doubleValue();
    }

    @Test
    void evaluateMatchesTrainingsFinalEvaluation() throws Exception {
        Path json = folder.resolve("final.json");
        Path grid = folder.resolve("grid.png");
        Run result = evaluate(run.resolve("tokenizer.ckpt").toString(), "--offline", "--json", json.toString(),
                "--grid", grid.toString());

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("on CIFAR-10 test records 0-999: PSNR"), result.out());
        Path trained = run.resolve("final-evaluation.json");
        assertEquals(1000, number(json, "images"));
        for (String key : new String[] {"psnr_db", "ssim", "mse", "codebook_usage", "perplexity"}) {
            assertEquals(number(trained, key), number(json, key), 1e-6, key);
        }
        BufferedImage picture = ImageIO.read(grid.toFile());
        assertTrue(picture.getWidth() > picture.getHeight(), "10 images side by side above their reconstructions");
    }

    @Test
    void trainingCheckpointEvaluatesLikeFinalModel() throws Exception {
        Path finalJson = folder.resolve("final-100.json");
        Path checkpointJson = folder.resolve("checkpoint-100.json");
        assertEquals(0, evaluate(run.resolve("tokenizer.ckpt").toString(), "--images", "100", "--json",
                finalJson.toString()).exitCode());

        Run result = evaluate(run.resolve("checkpoints").resolve("step-0000006.ckpt").toString(), "--images", "100",
                "--json", checkpointJson.toString());

        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().contains("test records 0-99:"), result.out());
        assertEquals(number(finalJson, "psnr_db"), number(checkpointJson, "psnr_db"), 1e-9);
        assertEquals(100, number(checkpointJson, "images"));
        assertEquals(6, number(checkpointJson, "step"), "a training checkpoint records its step");
    }

    @Test
    void badInputGivesOneLineErrors() {
        Run missing = evaluate(folder.resolve("absent.ckpt").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("error: Tokenizer checkpoint"), missing.err());
        assertTrue(missing.err().contains("not found"), missing.err());

        Run misspelled = evaluate(run.resolve("checkpoints").resolve("step-6.ckpt").toString());
        assertEquals(1, misspelled.exitCode());
        assertTrue(misspelled.err().contains("not found"), misspelled.err());
        assertTrue(misspelled.err().contains("step-0000006.ckpt"), "lists the checkpoints there: " + misspelled.err());

        Run folderGiven = evaluate(run.toString());
        assertEquals(1, folderGiven.exitCode());
        assertTrue(folderGiven.err().contains("it is a folder"), folderGiven.err());
        assertTrue(folderGiven.err().contains("tokenizer.ckpt"), folderGiven.err());

        for (String images : new String[] {"0", "1001"}) {
            Run bad = evaluate(run.resolve("tokenizer.ckpt").toString(), "--images", images);
            assertEquals(1, bad.exitCode(), images);
            assertTrue(bad.err().contains("Invalid --images " + images + ": expected 1 to 1000"), bad.err());
        }
    }
}
