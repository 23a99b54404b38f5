package io.nativetok.train;

import io.nativetok.tokenizer.CheckpointFile;
import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a resumable checkpoint {@code step-NNNNNNN.ckpt} into a folder at every checkpoint event
 * and deletes the oldest beyond the configured number to keep.
 *
 * <p>Each file is written atomically, so the newest complete checkpoint is always the file with
 * the highest step number; {@link #latest} finds it for {@code --resume}. The hidden {@code
 * .step-*.ckpt.*.partial} files that a process killed mid-write leaves behind are never listed,
 * and the first save of each listener deletes them.
 */
public final class CheckpointListener implements TrainingListener {

    private static final Logger logger = LoggerFactory.getLogger(CheckpointListener.class);
    private static final String PREFIX = "step-";
    private static final String SUFFIX = ".ckpt";

    private final Path folder;
    private boolean cleaned;

    /** Creates a listener saving into {@code folder}. */
    public CheckpointListener(Path folder) {
        this.folder = folder;
    }

    @Override
    public void onCheckpoint(TokenizerTrainer trainer) {
        if (!cleaned) {
            deletePartialFiles(folder);
            cleaned = true;
        }
        Path path = folder.resolve(String.format("%s%07d%s", PREFIX, trainer.stepCount(), SUFFIX));
        long start = System.nanoTime();
        trainer.save(path);
        logger.debug("Saved {} in {} ms", path, (System.nanoTime() - start) / 1_000_000);
        prune(trainer.config().keepCheckpoints());
    }

    /**
     * Deletes the partial files of interrupted checkpoint writes in {@code folder}. Only one
     * process may train into a checkpoint folder at a time, because a second one would lose its
     * write in progress.
     */
    public static void deletePartialFiles(Path folder) {
        for (Path partial : CheckpointFile.partialFiles(folder)) {
            try {
                long bytes = Files.size(partial);
                Files.deleteIfExists(partial);
                logger.info("Deleted {} ({} bytes), left by a checkpoint write that was interrupted", partial, bytes);
            } catch (IOException e) {
                logger.warn("Failed to delete partial checkpoint {}: {}. Delete it by hand.", partial, e.toString());
            }
        }
    }

    private void prune(int keep) {
        List<Path> checkpoints = list(folder);
        for (int i = 0; i < checkpoints.size() - keep; i++) {
            try {
                Files.deleteIfExists(checkpoints.get(i));
            } catch (IOException e) {
                logger.warn("Could not delete old checkpoint {}: {}", checkpoints.get(i), e.getMessage());
            }
        }
    }

    /**
     * Returns the step checkpoints in a folder, lowest step first, or an empty list when there are
     * none. Partial files of interrupted writes and files whose name has no step number are left
     * out.
     */
    public static List<Path> list(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(path -> stepOf(path) >= 0 && Files.isRegularFile(path))
                    .sorted(Comparator.comparingLong(CheckpointListener::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to list checkpoint folder " + folder + ": " + e.getMessage()
                            + ". Check that the folder is readable.",
                    e);
        }
    }

    /** Returns the newest step checkpoint in a folder, if any. */
    public static Optional<Path> latest(Path folder) {
        List<Path> checkpoints = list(folder);
        return checkpoints.isEmpty() ? Optional.empty() : Optional.of(checkpoints.get(checkpoints.size() - 1));
    }

    /**
     * Returns the step number in a name {@code step-N.ckpt}, or -1 for any other name. Numbers are
     * compared as numbers, so step 10,000,000 (eight digits) sorts after step 9,999,999.
     */
    private static long stepOf(Path path) {
        String name = path.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
            return -1;
        }
        String digits = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(digits);
    }
}
