package io.nativetok.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.plot.Plots;
import io.nativetok.util.NativeTokException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Writes {@code reconstructions-step-NNNNNNN.png} at every evaluation: a fixed set of images above
 * their current reconstructions.
 */
public final class ReconstructionListener implements TrainingListener {

    private final Path folder;
    private final ImageSet images;
    private final int[] indices;

    /** Creates a listener drawing the first {@code count} images of {@code images}. */
    public ReconstructionListener(Path folder, ImageSet images, int count) {
        this.folder = folder;
        this.images = images;
        this.indices = IntStream.range(0, Math.min(count, images.size())).toArray();
    }

    @Override
    public void onEvaluation(TokenizerTrainer trainer, Evaluation evaluation) {
        Path file = folder.resolve(String.format("reconstructions-step-%07d.png", evaluation.step()));
        try (NDManager scope = trainer.tokenizer().manager().newSubManager()) {
            NDArray batch = ImageSets.toArray(scope, images, indices);
            BufferedImage picture = Plots.reconstructions(trainer.tokenizer(), batch);
            Files.createDirectories(folder);
            ImageIO.write(picture, "png", file.toFile());
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to write " + file + ": " + e.getMessage()
                            + ". Check that the output folder is writable.",
                    e);
        }
    }
}
