package io.nativetok.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.nativetok.cli.Main;
import io.nativetok.data.Cifar10;
import io.nativetok.data.DataException;
import io.nativetok.data.ImageFolder;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestData;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.CheckpointFaults;
import io.nativetok.tokenizer.CheckpointFile;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TokenizerTrainer;
import io.nativetok.train.TrainingConfig;
import io.nativetok.util.NativeTokException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Input a user can get wrong, through the command line, the Java API and the data readers. Each
 * case checks the kind of error (exit code or exception class), that the message names the bad
 * value, and that no stack trace reaches the user. docs/bad-input.md lists these cases and the
 * ones tested elsewhere.
 */
class BadInputTest {

    @TempDir Path folder;

    // ---------------------------------------------------------------- helpers

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        CommandLine commandLine = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * Runs {@code nativetok train} on TINY with 32 training images for 2 steps. An option in
     * {@code extra} replaces the default of the same name, since picocli rejects repeated options.
     */
    private static Run train(Path out, String... extra) {
        List<String> defaults = List.of(
                "--preset", "tiny", "--steps", "2", "--eval-every", "0", "--train-images", "32",
                "--data", TestData.cifar10().toString(), "--out", out.toString());
        List<String> options = List.of(extra);
        List<String> args = new ArrayList<>(List.of("train", "--offline"));
        for (int i = 0; i < defaults.size(); i += 2) {
            if (!options.contains(defaults.get(i))) {
                args.add(defaults.get(i));
                args.add(defaults.get(i + 1));
            }
        }
        args.addAll(options);
        return run(args.toArray(String[]::new));
    }

    /** Asserts exit code 1 and one {@code error:} line that contains every fragment. */
    private static void assertError(Run run, String... fragments) {
        assertFalse(run.err().strip().contains("\n"), "more than one line: " + run.err());
        assertErrorMessage(run, fragments);
    }

    /** Asserts exit code 1 and an {@code error:} message, without a stack trace, with every fragment. */
    private static void assertErrorMessage(Run run, String... fragments) {
        assertEquals(1, run.exitCode(), "exit code; stderr: " + run.err());
        String message = run.err().strip();
        assertTrue(message.startsWith("error: "), message);
        assertFalse(message.contains("\tat "), "stack trace printed: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing in: " + message);
        }
    }

    private static void assertContains(Exception error, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(error.getMessage().contains(fragment), "'" + fragment + "' missing in: " + error.getMessage());
        }
    }

    /** Writes a real trainer checkpoint after {@code steps} TINY steps. */
    private static void writeTrainerCheckpoint(Path file, int steps) {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(TrainingConfig.forPreset(Preset.TINY));
                NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < steps; i++) {
                trainer.step(TestImages.cifarBatch(manager, 16));
            }
            trainer.save(file);
        }
    }

    private static float[] firstParameter(NativeTok tok) {
        return tok.block().getParameters().valueAt(0).getArray().toFloatArray();
    }

    private Path savedTinyCheckpoint() {
        Path file = folder.resolve("tiny.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).seed(5).build()) {
            tok.save(file);
        }
        return file;
    }

    // ---------------------------------------------------------------- command line

    @Test
    void unknownSubcommandIsUsageError() {
        Run run = run("fly");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("'fly'"), run.err());
    }

    @Test
    void unknownPresetIsNamed() {
        assertError(train(folder.resolve("out"), "--preset", "huge"), "Unknown preset 'huge'", "tiny, cifar10");
    }

    @Test
    void unknownModelKeyIsNamed() {
        assertError(train(folder.resolve("out"), "--set", "mit.widht=3"), "Unknown configuration key 'mit.widht'");
    }

    @Test
    void unknownTrainingKeyIsNamed() {
        assertError(train(folder.resolve("out"), "--set", "train.lr=1"), "Unknown training key 'train.lr'");
    }

    @Test
    void negativeStepsRejected() {
        assertError(train(folder.resolve("out"), "--steps", "-1"), "Invalid steps -1");
        assertFalse(Files.exists(folder.resolve("out")), "the output folder was created");
    }

    @Test
    void nonNumericBatchSizeIsUsageError() {
        Run run = train(folder.resolve("out"), "--batch-size", "x");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--batch-size"), run.err());
        assertTrue(run.err().contains("'x'"), run.err());
    }

    @Test
    void zeroLearningRateRejected() {
        assertError(train(folder.resolve("out"), "--lr", "0"), "Invalid learning rate 0.0");
    }

    @Test
    void negativeCheckpointIntervalRejected() {
        assertError(train(folder.resolve("out"), "--checkpoint-every", "-2"), "Invalid checkpoint-every -2");
    }

    @Test
    void invalidDeviceIsNamed() {
        assertError(train(folder.resolve("out"), "--device", "tpu"), "Invalid device 'tpu'");
    }

    @Test
    void missingGpuLeavesNoFolder() {
        Path out = folder.resolve("out");
        assertError(train(out, "--device", "gpu"), "Requested device gpu(0)", "0 usable GPU(s)");
        assertFalse(Files.exists(out), "the output folder was created");
    }

    @Test
    void imagenetPresetRejectedByTrain() {
        Path out = folder.resolve("out");
        assertError(train(out, "--preset", "imagenet256"), "Invalid image size 256", "reads CIFAR-10");
        assertFalse(Files.exists(out), "the output folder was created");
    }

    @Test
    void unknownBudgetValueRejectedByReproduce() {
        Path out = folder.resolve("out");
        assertError(run("reproduce", "main", "--preset", "tiny", "--offline", "--data", TestData.cifar10().toString(),
                "--out", out.toString(), "--budget", "tokenizer-step=3"),
                "Unknown budget value 'tokenizer-step'", "tokenizer-steps");
        assertError(run("reproduce", "main", "--preset", "tiny", "--offline", "--data", TestData.cifar10().toString(),
                "--out", out.toString(), "--budget", "generator-steps=-5"),
                "generator-steps = -5", "at least 1");
        assertFalse(Files.exists(out), "the output folder was created");
    }

    @Test
    void batchLargerThanTrainingSetRejected() {
        Path out = folder.resolve("out");
        assertError(train(out, "--train-images", "10", "--batch-size", "16"), "Invalid batch size 16", "only 10 images");
        assertFalse(Files.exists(out), "the output folder was created");
    }

    @Test
    void decreasingHntScheduleRejected() {
        assertError(train(folder.resolve("out"), "--hnt", "8,4,8"), "Invalid --hnt [8, 4, 8]", "4 follows 8");
    }

    @Test
    void hntScheduleEndingElsewhereRejected() {
        assertError(train(folder.resolve("out"), "--hnt", "4,16"), "ends at 16 tokens but the model has 8");
    }

    @Test
    void singleLengthHntScheduleRejected() {
        assertError(train(folder.resolve("out"), "--hnt", "8"), "Invalid --hnt [8]", "at least two");
    }

    @Test
    void resumeAndForceTogetherRejected() {
        assertError(train(folder.resolve("out"), "--resume", "--force"), "--resume and --force exclude each other");
    }

    @Test
    void resumeInEmptyFolderStartsNewRun() throws IOException {
        Path out = folder.resolve("out");
        Files.createDirectories(out);
        Run run = train(out, "--resume");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("No checkpoint in " + out.resolve("checkpoints") + ", so --resume starts a new run"),
                run.out());
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/step-0000002.ckpt")));
    }

    @Test
    void resumeWithoutCheckpointRejected() throws IOException {
        Path out = folder.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), "{}");
        assertError(train(out, "--resume"), "Cannot resume", out.resolve("checkpoints").toString(), "--force");
    }

    @Test
    void forceWithBadOptionKeepsCheckpoints() throws IOException {
        Path out = folder.resolve("out");
        Path checkpoint = out.resolve("checkpoints/step-0000003.ckpt");
        Files.createDirectories(checkpoint.getParent());
        Files.writeString(checkpoint, "stands in for a checkpoint");
        Files.writeString(out.resolve("config.json"), "{}");
        Files.writeString(out.resolve("metrics.csv"), "step,loss\n");

        assertError(train(out, "--force", "--steps", "-1"), "Invalid steps -1");
        assertTrue(Files.exists(checkpoint), "--force deleted the checkpoint before rejecting the options");
        assertTrue(Files.exists(out.resolve("metrics.csv")), "--force deleted metrics.csv before rejecting the options");
    }

    @Test
    void existingRunNeedsResumeOrForce() throws IOException {
        Path out = folder.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("config.json"), "{}");
        assertError(train(out), "already contains a run", "--resume", "--force");
    }

    @Test
    void outputBelowFileRejected() throws IOException {
        // Tests run as root, and root can write into a read-only folder. A path below a regular
        // file can never become a folder, for root too.
        Path file = folder.resolve("plain-file");
        Files.writeString(file, "not a folder");
        assertError(train(file.resolve("run")), "Invalid --out", file + " is a file, not a folder");
    }

    @Test
    void missingDataFolderIsNamed() {
        Path missing = folder.resolve("no-cifar");
        List<String> args = List.of("train", "--preset", "tiny", "--offline", "--data", missing.toString(),
                "--out", folder.resolve("out").toString());
        // This message lists every place searched, one per line.
        assertErrorMessage(run(args.toArray(String[]::new)), missing.toString(), "nativetok data download cifar10");
    }

    @Test
    void resumeWithOtherModelNamesKeys() {
        Path out = folder.resolve("out");
        writeTrainerCheckpoint(out.resolve("checkpoints/step-0000001.ckpt"), 1);
        assertError(train(out, "--resume", "--set", "mit.depth=3", "--set", "quantizer.codebook-size=32"),
                "Cannot resume", "mit.depth: 2 -> 3", "quantizer.codebook-size: 64 -> 32");
    }

    @Test
    void resumeWithoutPresetUsesCheckpointModel() throws IOException {
        Path out = folder.resolve("out");
        assertEquals(0, train(out).exitCode());
        Files.writeString(out.resolve(".tokenizer.ckpt.x1.partial"), "left by a kill during the final save");

        // Without --preset the default would be cifar10; the checkpoint's TINY model is used instead.
        Run resumed = run("train", "--out", out.toString(), "--resume", "--steps", "3", "--train-images", "32",
                "--offline", "--data", TestData.cifar10().toString());
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("at step 2"), resumed.out());
        assertEquals(List.of(), CheckpointFile.partialFiles(out), "partial file left in the run folder");
        try (NativeTok tok = NativeTok.load(out.resolve("tokenizer.ckpt"))) {
            assertEquals(Preset.TINY.config().toMap(), tok.config().toMap());
        }
    }

    @Test
    void resumeOfHntCheckpointNeedsHnt() throws IOException {
        Path out = folder.resolve("out");
        Path checkpoint = out.resolve("checkpoints/step-0000001.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).tokens(4).build();
                io.nativetok.train.HierarchicalTraining schedule = new io.nativetok.train.HierarchicalTraining(
                        tok, new int[] {4, 8}, 2, 1, TrainingConfig.forPreset(Preset.TINY))) {
            schedule.save(checkpoint);
        }
        assertError(train(out, "--resume"), "without --hnt", "Pass --hnt 4,8");
    }

    @Test
    void resumeFromDamagedCheckpointNamesPrevious() throws IOException {
        Path out = folder.resolve("out");
        Path older = out.resolve("checkpoints/step-0000001.ckpt");
        Path newest = out.resolve("checkpoints/step-0000002.ckpt");
        writeTrainerCheckpoint(older, 1);
        writeTrainerCheckpoint(newest, 2);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length - 1000));

        assertError(train(out, "--resume", "--steps", "3"), newest.toString(), "corrupted or truncated",
                "step-0000001.ckpt", "move step-0000002.ckpt out of");
    }

    // ---------------------------------------------------------------- Java API: tokens and checkpoints

    @Test
    void decodeOfIdOutsideCodebookIsNamed() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                    () -> tok.decode(new int[][] {{0, 1, 64}}, manager));
            assertContains(tooLarge, "Invalid token id 64 at image 0, position 2", "expected 0 to 63");
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> tok.decodePrefix(new int[][] {{3, -1, 0, 0, 0, 0, 0, 0}}, 4, manager));
            assertContains(negative, "Invalid token id -1 at image 0, position 1");
        }
    }

    @Test
    void decodeOfRaggedOrNullRowsIsNamed() {
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                    () -> tok.decode(new int[][] {{1, 2, 3}, {1, 2}}, manager));
            assertContains(ragged, "row 1 has 2 ids but row 0 has 3");
            IllegalArgumentException nullRow = assertThrows(IllegalArgumentException.class,
                    () -> tok.decodePrefix(new int[][] {null}, 2, manager));
            assertContains(nullRow, "row 0 is null");
        }
    }

    @Test
    void checkpointOfOtherModelNamesKeys() {
        Path file = folder.resolve("other.ckpt");
        try (NativeTok other = NativeTok.builder().preset(Preset.TINY)
                .mit(m -> m.depth(3)).quantizer(q -> q.codebookSize(32)).build()) {
            other.save(file);
        }
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            NativeTokException error = assertThrows(NativeTokException.class, () -> tok.loadParameters(file));
            assertContains(error, file.toString(), "mit.depth: 2 -> 3", "quantizer.codebook-size: 64 -> 32",
                    "NativeTok.load(path)");
        }
    }

    @Test
    void newerFormatVersionRejected() throws IOException {
        Path file = savedTinyCheckpoint();
        byte[] bytes = Files.readAllBytes(file);
        int versionOffset = "NATIVETOK-CHECKPOINT\n".length();
        bytes[versionOffset + 3] = (byte) (CheckpointFile.FORMAT_VERSION + 1);
        Files.write(file, bytes);
        NativeTokException error = assertThrows(NativeTokException.class, () -> NativeTok.load(file).close());
        assertContains(error, "Unsupported checkpoint format version " + (CheckpointFile.FORMAT_VERSION + 1),
                "reads versions 1 to " + CheckpointFile.FORMAT_VERSION, file.toString());
    }

    @Test
    void truncatedCheckpointLeavesModelUnchanged() throws IOException {
        Path file = savedTinyCheckpoint();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).seed(5).build()) {
            float[] before = firstParameter(tok);
            NativeTokException error = assertThrows(NativeTokException.class, () -> tok.loadParameters(file));
            assertContains(error, file.toString(), "truncated");
            assertArrayEquals(before, firstParameter(tok), "a failed load changed the model");
        }
    }

    @Test
    void damagedArrayHeaderRejectedBeforeDecoding() throws IOException {
        Path file = savedTinyCheckpoint();
        byte[] bytes = Files.readAllBytes(file);
        String firstName;
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            firstName = tok.block().getParameters().keyAt(0);
        }
        // Flip the bytes that follow the first parameter's name: DJL's array header with the shape.
        int at = indexOf(bytes, firstName.getBytes(StandardCharsets.UTF_8)) + firstName.length();
        for (int i = at; i < at + 24; i++) {
            bytes[i] ^= (byte) 0x7F;
        }
        Files.write(file, bytes);
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).seed(5).build()) {
            NativeTokException error = assertThrows(NativeTokException.class, () -> tok.loadParameters(file));
            assertContains(error, file.toString(), "corrupted", "CRC-32");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("bytes not found");
    }

    @Test
    void textFileAsCheckpointRejected() throws IOException {
        Path file = folder.resolve("notes.ckpt");
        Files.writeString(file, "step 500: loss 0.02\n");
        NativeTokException error = assertThrows(NativeTokException.class, () -> NativeTok.load(file).close());
        assertContains(error, "Not a NativeTok checkpoint", file.toString());
    }

    @Test
    void emptyCheckpointRejected() throws IOException {
        Path file = folder.resolve("empty.ckpt");
        Files.createFile(file);
        NativeTokException error = assertThrows(NativeTokException.class, () -> NativeTok.load(file).close());
        assertContains(error, file.toString(), "is empty (0 bytes)");
    }

    @Test
    void folderAsCheckpointRejected() {
        NativeTokException error = assertThrows(NativeTokException.class, () -> NativeTok.load(folder).close());
        assertContains(error, "Checkpoint not found", folder.toString(), "is a folder");
    }

    @Test
    void fullDiskKeepsPreviousCheckpoint() throws Exception {
        Path file = folder.resolve("tok.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).seed(1).build()) {
            tok.save(file);
        }
        byte[] previous = Files.readAllBytes(file);
        try (NativeTok other = NativeTok.builder().preset(Preset.TINY).seed(2).build();
                AutoCloseable fault = CheckpointFaults.diskFullAfter(64 * 1024)) {
            NativeTokException error = assertThrows(NativeTokException.class, () -> other.save(file));
            assertContains(error, "Failed to write checkpoint " + file, CheckpointFaults.DISK_FULL,
                    "previous checkpoint, if any, is unchanged");
        }
        assertArrayEquals(previous, Files.readAllBytes(file), "the previous checkpoint changed");
        assertEquals(List.of(), CheckpointFile.partialFiles(folder), "a partial file remained");
        try (NativeTok loaded = NativeTok.load(file)) {
            assertEquals(1, loaded.config().seed());
        }
    }

    @Test
    void saveBelowFileRejected() throws IOException {
        Path file = folder.resolve("plain-file");
        Files.writeString(file, "not a folder");
        Path target = file.resolve("sub/tok.ckpt");
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
            NativeTokException error = assertThrows(NativeTokException.class, () -> tok.save(target));
            assertContains(error, "Failed to write checkpoint " + target, "folder is writable");
        }
    }

    @Test
    void fitWithBatchLargerThanSetRejected() {
        ImageSet ten = ImageSets.subset(TestImages.cifarTest(), 0, 10);
        TrainingConfig config = TrainingConfig.forPreset(Preset.TINY).toBuilder().steps(1).build();
        try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build();
                TokenizerTrainer trainer = tok.newTrainer(config)) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> trainer.fit(ten, null));
            assertContains(error, "Training set of 10 images", "batch size 16");
        }
    }

    @Test
    void nonNumericTrainingValueIsNamed() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TrainingConfig.forPreset(Preset.TINY).toBuilder().set("train.steps", "ten").build());
        assertContains(error, "Invalid value 'ten' for train.steps", "whole number");
    }

    // ---------------------------------------------------------------- data readers

    @Test
    void cifarMissingFolderIsNamed() {
        Path missing = folder.resolve("cifar");
        DataException error = assertThrows(DataException.class, () -> Cifar10.load(missing, Cifar10.Split.TEST));
        assertContains(error, "CIFAR-10 folder not found: " + missing, "nativetok data download cifar10");
    }

    @Test
    void cifarEmptyFolderListsMissingFiles() throws IOException {
        Path empty = Files.createDirectories(folder.resolve("cifar"));
        DataException error = assertThrows(DataException.class, () -> Cifar10.load(empty, Cifar10.Split.TRAIN));
        assertContains(error, "CIFAR-10 files missing in " + empty, "data_batch_1.bin", "data_batch_5.bin");
    }

    @Test
    void cifarTruncatedFileNamesSize() throws IOException {
        Path cifar = Files.createDirectories(folder.resolve("cifar"));
        Files.write(cifar.resolve(Cifar10.TEST_FILE), new byte[2 * Cifar10.RECORD_BYTES + 100]);
        DataException error = assertThrows(DataException.class, () -> Cifar10.load(cifar, Cifar10.Split.TEST));
        assertContains(error, cifar.resolve(Cifar10.TEST_FILE).toString(), (2 * Cifar10.RECORD_BYTES + 100) + " bytes",
                "remainder 100");
    }

    @Test
    void cifarZeroByteFileRejected() throws IOException {
        Path cifar = Files.createDirectories(folder.resolve("cifar"));
        Files.createFile(cifar.resolve(Cifar10.TEST_FILE));
        DataException error = assertThrows(DataException.class, () -> Cifar10.load(cifar, Cifar10.Split.TEST));
        assertContains(error, cifar.resolve(Cifar10.TEST_FILE).toString(), "is empty (0 bytes)");
    }

    private static ImageFolder strictLoader() {
        return ImageFolder.builder().size(32).strict(true).build();
    }

    private static void writePng(Path file, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, 0x336699);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }

    @Test
    void imageFolderMissingOrEmptyIsNamed() throws IOException {
        Path missing = folder.resolve("images");
        DataException notFound = assertThrows(DataException.class, () -> strictLoader().load(missing));
        assertContains(notFound, "Image folder not found: " + missing);
        Path empty = Files.createDirectories(folder.resolve("empty"));
        DataException noImages = assertThrows(DataException.class, () -> strictLoader().load(empty));
        assertContains(noImages, "No PNG or JPEG files found in " + empty);
    }

    @Test
    void textFileNamedPngRejected() throws IOException {
        Path images = Files.createDirectories(folder.resolve("images"));
        Path text = images.resolve("b.png");
        Files.writeString(text, "this is a text file, not an image\n");
        writePng(images.resolve("a.png"), 32, 32);

        DataException error = assertThrows(DataException.class, () -> strictLoader().load(images));
        assertContains(error, "Invalid image file " + text, "not a PNG or JPEG image");
        ImageFolder.Report lenient = ImageFolder.builder().size(32).build().loadWithReport(images);
        assertEquals(1, lenient.images().size());
        assertEquals(text, lenient.skipped().get(0).file());
    }

    @Test
    void zeroByteJpegRejected() throws IOException {
        Path images = Files.createDirectories(folder.resolve("images"));
        Path empty = Files.createFile(images.resolve("photo.jpg"));
        DataException error = assertThrows(DataException.class, () -> strictLoader().load(images));
        assertContains(error, "Invalid image file " + empty, "empty (0 bytes)");
    }

    @Test
    void onePixelImageIsResizedOrRejected() throws IOException {
        Path images = Files.createDirectories(folder.resolve("images"));
        Path tiny = images.resolve("dot.png");
        writePng(tiny, 1, 1);

        ImageFolder.Report report = ImageFolder.builder().size(32).build().loadWithReport(images);
        assertEquals(1, report.resized());
        java.awt.image.BufferedImage loaded = ImageSets.toBufferedImage(report.images(), 0);
        assertEquals(32, loaded.getWidth());
        assertEquals(0x336699, loaded.getRGB(31, 31) & 0xFFFFFF, "upscaled pixel color");

        ImageFolder reject = ImageFolder.builder().size(32).strict(true)
                .sizePolicy(ImageFolder.SizePolicy.REJECT).build();
        DataException error = assertThrows(DataException.class, () -> reject.load(images));
        assertContains(error, tiny.toString(), "its size 1x1 differs from the target 32x32");
    }

    @Test
    void hugeImageHeaderRejectedBeforeDecoding() throws IOException {
        Path images = Files.createDirectories(folder.resolve("images"));
        Path bomb = images.resolve("bomb.png");
        writePngHeader(bomb, 20_000, 20_000);
        DataException error = assertThrows(DataException.class, () -> strictLoader().load(images));
        assertContains(error, bomb.toString(), "20000x20000 = 400000000 pixels", "above the limit");
    }

    /** Writes a PNG signature and an IHDR chunk declaring {@code width x height}, without pixels. */
    private static void writePngHeader(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream fields = new DataOutputStream(header);
        fields.writeInt(width);
        fields.writeInt(height);
        fields.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB, default compression, filter, no interlace
        writeChunk(out, "IHDR", header.toByteArray());
        writeChunk(out, "IEND", new byte[0]);
        Files.write(file, bytes.toByteArray());
    }

    private static void writeChunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt(data.length);
        out.write(typeBytes);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }
}
