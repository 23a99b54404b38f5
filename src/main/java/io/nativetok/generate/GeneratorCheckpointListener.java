package io.nativetok.generate;

import io.nativetok.train.CheckpointListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a resumable checkpoint {@code step-NNNNNNN.ckpt} into a folder at every checkpoint event
 * and deletes the oldest beyond the configured number to keep. {@link CheckpointListener#latest}
 * finds the newest one for a resume.
 */
public final class GeneratorCheckpointListener implements GeneratorListener {

    private static final Logger logger = LoggerFactory.getLogger(GeneratorCheckpointListener.class);

    private final Path folder;

    /** Creates a listener saving into {@code folder}. */
    public GeneratorCheckpointListener(Path folder) {
        this.folder = folder;
    }

    @Override
    public void onCheckpoint(GeneratorTrainer trainer) {
        Path path = folder.resolve(String.format("step-%07d.ckpt", trainer.stepCount()));
        trainer.save(path);
        List<Path> checkpoints = CheckpointListener.list(folder);
        int keep = trainer.config().keepCheckpoints();
        for (int i = 0; i < checkpoints.size() - keep; i++) {
            try {
                Files.deleteIfExists(checkpoints.get(i));
            } catch (IOException e) {
                logger.warn("Could not delete old checkpoint {}: {}", checkpoints.get(i), e.getMessage());
            }
        }
    }
}
