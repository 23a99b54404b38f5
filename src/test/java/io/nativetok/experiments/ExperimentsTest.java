package io.nativetok.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import io.nativetok.data.BatchSampler;
import io.nativetok.data.ImageSet;
import io.nativetok.data.TestData;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

class ExperimentsTest {

    private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    @TempDir Path folder;
    private Path data;

    /** Finds CIFAR-10 before each test, so that a missing copy skips it instead of failing an assertThrows. */
    @BeforeEach
    void findData() {
        data = TestData.cifar10();
    }

    private Map<String, Table> run(String name, Path out, boolean force) {
        return Experiments.run(name, Preset.TINY, out, data, force, QUIET, "test " + name);
    }

    private static void assertComplete(Table table, List<String> columns) {
        assertEquals(columns, table.columnNames(), table.name());
        assertTrue(table.rowCount() > 0, table.name() + " is empty");
        for (Column<?> column : table.columns()) {
            assertEquals(0, column.countMissing(), table.name() + "." + column.name() + " has missing values");
        }
    }

    @Test
    void positionsRecipeProducesCompleteTables() {
        Path out = folder.resolve("positions");
        Map<String, Table> tables = run("positions", out, false);
        assertComplete(tables.get("prefix_quality"), List.of("tokenizer", "prefix", "psnr", "ssim", "mse"));
        assertComplete(tables.get("position_influence"), List.of("tokenizer", "position", "mse_change"));
        assertEquals(3 * 4, tables.get("prefix_quality").rowCount(), "3 kinds x prefixes 1, 2, 4, 8");
        for (String file : List.of("summary.md", "prefix_quality.csv", "position_influence.csv", "prefix_psnr.png",
                "position_influence.png", "prefixes-nativetok.png", "tokenizer-titok/tokenizer.ckpt")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " missing");
        }
    }

    @Test
    void mainRecipeProducesCompleteTables() {
        Path out = folder.resolve("main");
        Map<String, Table> tables = run("main", out, false);
        assertComplete(tables.get("main"), List.of("tokenizer", "generator", "psnr", "ssim",
                "reconstruction_classifier_fd", "codebook_usage", "validation_cross_entropy_bits",
                "generation_classifier_fd", "generation_classifier_is"));
        assertEquals(6, tables.get("main").rowCount(), "3 tokenizers x 2 generators");
        assertComplete(tables.get("token_statistics"), List.of("tokenizer", "ar_mean_cross_entropy_bits",
                "mean_marginal_entropy_bits", "mean_90pct_set_overlap"));
        assertComplete(tables.get("per_position_cross_entropy"),
                List.of("tokenizer", "position", "cross_entropy_bits", "marginal_entropy_bits"));
        assertTrue(Files.isRegularFile(out.resolve("per_position_cross_entropy.png")));
    }

    @Test
    void positionsReusesFinishedTokenizers() throws Exception {
        Path trained = folder.resolve("trained");
        Map<String, Table> own = run("positions", trained, false);
        Path reusing = folder.resolve("reusing");
        Map<String, Table> reused = Experiments.run(
                "positions", Preset.TINY, reusing, data, false, QUIET, "test", trained);
        for (String name : List.of("prefix_quality", "position_influence")) {
            assertEquals(own.get(name).printAll(), reused.get(name).printAll(), name);
        }
        assertTrue(Files.notExists(reusing.resolve("tokenizer-nativetok")), "nothing is trained again");
        assertTrue(Files.readString(reusing.resolve("summary.md")).contains("loaded from"));

        Path config = trained.resolve("tokenizer-titok/config.json");
        Files.writeString(config, Files.readString(config).replace("\"train.steps\": \"30\"", "\"train.steps\": \"31\""));
        NativeTokException changed = assertThrows(NativeTokException.class, () -> Experiments.run(
                "positions", Preset.TINY, folder.resolve("changed"), data, false, QUIET, "test", trained));
        assertTrue(changed.getMessage().contains("train.steps = 31, but"), changed.getMessage());
    }

    @Test
    void unfinishedTokenizerFolderRejected() throws Exception {
        Path unfinishedMain = recipeFolder("unfinished-main", "main", "tiny");
        Files.createDirectories(unfinishedMain.resolve("tokenizer-nativetok").resolve("checkpoints"));
        NativeTokException unfinished = assertThrows(NativeTokException.class, () -> reuseFrom(unfinishedMain));
        assertTrue(unfinished.getMessage().contains("tokenizer-nativetok"), unfinished.getMessage());
        assertTrue(unfinished.getMessage().contains("does not exist yet"), unfinished.getMessage());

        NativeTokException otherRecipe = assertThrows(NativeTokException.class,
                () -> reuseFrom(recipeFolder("hnt-run", "hnt", "tiny")));
        assertTrue(otherRecipe.getMessage().contains("('hnt') has no folder tokenizer-nativetok"), otherRecipe.getMessage());

        IllegalArgumentException otherPreset = assertThrows(IllegalArgumentException.class,
                () -> reuseFrom(recipeFolder("cifar10-main", "main", "cifar10")));
        assertTrue(otherPreset.getMessage().contains("preset 'cifar10', but this run uses 'tiny'"), otherPreset.getMessage());

        IllegalArgumentException noRecipe = assertThrows(IllegalArgumentException.class,
                () -> reuseFrom(Files.createDirectories(folder.resolve("empty"))));
        assertTrue(noRecipe.getMessage().contains("no experiment.json"), noRecipe.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> reuseFrom(folder.resolve("absent")));
        assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
    }

    @Test
    void checkpointOfOtherSettingsNotResumed() throws Exception {
        Path out = recipeFolder("other-settings", "positions", "tiny");
        Path checkpoint = out.resolve("tokenizer-nativetok").resolve("checkpoints").resolve("step-0000001.ckpt");
        TrainingConfig otherRate = TrainingConfig.forPreset(Preset.TINY).toBuilder()
                .steps(Budget.forPreset(Preset.TINY).tokenizerSteps()).learningRate(5e-4f).build();
        ImageSet images = TestImages.cifarTest();
        try (NativeTok tokenizer = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tokenizer.newTrainer(otherRate)) {
            trainer.step(images, new BatchSampler(images, otherRate.batchSize(), 0).next());
            trainer.save(checkpoint);
        }
        NativeTokException e = assertThrows(NativeTokException.class, () -> run("positions", out, false));
        assertTrue(e.getMessage().contains("train.learning-rate = 5.0E-4"), e.getMessage());
        assertTrue(e.getMessage().contains("trains with 0.001"), e.getMessage());
        assertTrue(Files.exists(checkpoint), "the checkpoint stays in place");
    }

    private Path recipeFolder(String name, String experiment, String preset) throws IOException {
        Path recipe = Files.createDirectories(folder.resolve(name));
        Files.writeString(recipe.resolve("experiment.json"),
                "{\"experiment\": \"" + experiment + "\", \"preset\": \"" + preset + "\"}");
        return recipe;
    }

    private Map<String, Table> reuseFrom(Path tokenizers) {
        return Experiments.run("positions", Preset.TINY, folder.resolve("out-" + tokenizers.getFileName()),
                data, false, QUIET, "test", tokenizers);
    }

    @Test
    void maskgitStepsRecipeProducesCompleteTable() {
        Map<String, Table> tables = run("maskgit-steps", folder.resolve("steps"), false);
        assertComplete(tables.get("maskgit_steps"),
                List.of("tokenizer", "steps", "classifier_fd", "classifier_is", "milliseconds_per_image"));
        assertEquals(4, tables.get("maskgit_steps").rowCount(), "2 tokenizers x steps 4 and 8 (L = 8)");
    }

    @Test
    void hntRecipeProducesCompleteTable() throws IOException {
        Path out = folder.resolve("hnt");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, Table> tables = Experiments.run(
                "hnt", Preset.TINY, out, data, false, new PrintStream(log, true), "test hnt");
        assertComplete(tables.get("hnt_vs_direct"),
                List.of("method", "steps", "time_budget_minutes", "step_time_minutes", "psnr", "ssim", "codebook_usage"));
        assertEquals(2, tables.get("hnt_vs_direct").rowCount());
        DoubleColumn stepMinutes = tables.get("hnt_vs_direct").doubleColumn("step_time_minutes");
        DoubleColumn budgetMinutes = tables.get("hnt_vs_direct").doubleColumn("time_budget_minutes");
        for (int row = 0; row < 2; row++) {
            assertTrue(stepMinutes.get(row) > 0, "step time of row " + row);
            assertTrue(stepMinutes.get(row) <= budgetMinutes.get(0) * 3, "step time of row " + row + " near the wall time");
        }

        // L = 8 at TINY: the schedule is 2 -> 4 -> 8, and each phase ends with a progress line.
        for (String phase : List.of("1/5 (2 tokens, all parameters)", "2/5 (4 tokens, new experts and decoder)",
                "3/5 (4 tokens, fine-tune)", "4/5 (8 tokens, new experts and decoder)", "5/5 (8 tokens, fine-tune)")) {
            assertTrue(log.toString().contains("hnt HNT phase " + phase), "no progress line for '" + phase + "' in:\n" + log);
        }
        List<String> metrics = Files.readAllLines(out.resolve("hnt").resolve("metrics.csv"));
        assertEquals(1 + 28, metrics.size(), "a header and one row per HNT step");
    }

    @Test
    void interruptedHntResumesFromItsCheckpoint() throws Exception {
        Path out = folder.resolve("hnt");
        run("hnt", out, false);
        Path hnt = out.resolve("hnt");
        assertTrue(Files.list(hnt.resolve("checkpoints")).findAny().isPresent(), "HNT keeps checkpoints");
        double firstSeconds = wallSeconds(hnt);
        // What an interruption after the last checkpoint leaves: checkpoints, but no finished model or results.
        for (String file : List.of("hnt/tokenizer.ckpt", "hnt/wall-time.json", "hnt/evaluation.json", "summary.md")) {
            Files.delete(out.resolve(file));
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, Table> tables = Experiments.run(
                "hnt", Preset.TINY, out, data, false, new PrintStream(log, true), "test hnt");
        assertTrue(log.toString().contains("[hnt] hnt: resuming at step 28"), log.toString());
        assertEquals(2, tables.get("hnt_vs_direct").rowCount());
        assertTrue(wallSeconds(hnt) >= firstSeconds * 0.5, "the wall time of the first invocation is kept");
    }

    private static double wallSeconds(Path hnt) throws IOException {
        Map<?, ?> json = new Gson().fromJson(Files.readString(hnt.resolve("wall-time.json")), Map.class);
        return ((Number) json.get("seconds")).doubleValue();
    }

    @Test
    void finishedResultsNeedForce() {
        Path out = folder.resolve("hnt");
        run("hnt", out, false);
        NativeTokException again = assertThrows(NativeTokException.class, () -> run("hnt", out, false));
        assertTrue(again.getMessage().contains("--force"), again.getMessage());
        NativeTokException other = assertThrows(NativeTokException.class, () -> run("positions", out, false));
        assertTrue(other.getMessage().contains("'hnt tiny'"), other.getMessage());
        run("hnt", out, true);
    }

    @Test
    void budgetRecordedAndKeptOnResume() throws IOException {
        Path out = folder.resolve("small");
        Budget small = Budget.forPreset(Preset.TINY).with(Map.of("tokenizer-steps", "4"));
        Experiments.recipe("positions").preset(Preset.TINY).budget(small).out(out).data(data).log(QUIET).run();
        List<String> metrics = Files.readAllLines(out.resolve("tokenizer-nativetok").resolve("metrics.csv"));
        assertEquals(1 + 4, metrics.size(), "a header and one row per step");
        assertTrue(Files.readString(out.resolve("summary.md")).contains("the preset's, except tokenizer-steps=4"));
        assertTrue(Files.readString(out.resolve("experiment.json")).contains("\"tokenizer-steps\": 4"));

        // An interrupted run (no summary yet) resumes only with the budget it started with.
        Files.delete(out.resolve("summary.md"));
        NativeTokException other = assertThrows(NativeTokException.class, () -> run("positions", out, false));
        assertTrue(other.getMessage().contains("tokenizer-steps=4"), other.getMessage());
        assertTrue(other.getMessage().contains("tokenizer-steps=30"), other.getMessage());
        Experiments.recipe("positions").preset(Preset.TINY).budget(small).out(out).data(data).log(QUIET).run();
        assertTrue(Files.exists(out.resolve("summary.md")));
    }

    @Test
    void unknownExperimentRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiments.byName("mian"));
        assertTrue(e.getMessage().contains("'mian'"), e.getMessage());
        assertTrue(e.getMessage().contains("positions"), e.getMessage());
    }

    @Test
    void foreignFolderRejected() throws Exception {
        Path out = Files.createDirectories(folder.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "my notes");
        NativeTokException e = assertThrows(NativeTokException.class, () -> run("positions", out, false));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertTrue(Files.exists(out.resolve("notes.txt")));
    }
}
