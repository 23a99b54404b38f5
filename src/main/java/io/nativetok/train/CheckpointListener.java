package io.nativetok.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a resumable checkpoint {@code step-NNNNNNN.ckpt} into a folder at every checkpoint event
 * and deletes the oldest beyond the configured number to keep.
 *
 * <p>Each file is written atomically, so the newest complete checkpoint is always the
 * highest-numbered file; {@link #latest} finds it for {@code --resume}.
 */
public final class CheckpointListener implements TrainingListener {

    private static final Logger logger = LoggerFactory.getLogger(CheckpointListener.class);
    private static final String PREFIX = "step-";
    private static final String SUFFIX = ".ckpt";

    private final Path folder;

    /** Creates a listener saving into {@code folder}. */
    public CheckpointListener(Path folder) {
        this.folder = folder;
    }

    @Override
    public void onCheckpoint(TokenizerTrainer trainer) {
        Path path = folder.resolve(String.format("%s%07d%s", PREFIX, trainer.stepCount(), SUFFIX));
        long start = System.nanoTime();
        trainer.save(path);
        logger.debug("Saved {} in {} ms", path, (System.nanoTime() - start) / 1_000_000);
        prune(trainer.config().keepCheckpoints());
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

    /** Returns the step checkpoints in a folder, oldest first; empty when there are none. */
    public static List<Path> list(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(CheckpointListener::isCheckpoint).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the newest step checkpoint in a folder, if any. */
    public static Optional<Path> latest(Path folder) {
        List<Path> checkpoints = list(folder);
        return checkpoints.isEmpty() ? Optional.empty() : Optional.of(checkpoints.get(checkpoints.size() - 1));
    }

    private static boolean isCheckpoint(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX) && Files.isRegularFile(path);
    }
}
