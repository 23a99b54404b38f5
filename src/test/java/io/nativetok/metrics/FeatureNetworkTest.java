package io.nativetok.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestImages;
import io.nativetok.util.NativeTokException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureNetworkTest {

    @TempDir Path folder;

    private static final FeatureNetwork.Config SMALL = new FeatureNetwork.Config(32, 10, new int[] {4, 8, 16});

    @Test
    void trainedNetworkSavesAndScores() {
        ImageSet train = ImageSets.subset(TestImages.cifarTest(), 0, 128);
        ImageSet test = ImageSets.subset(TestImages.cifarTest(), 128, 192);
        Path file = folder.resolve("features.ckpt");
        FeatureNetwork.Outputs before;
        try (FeatureNetwork network = FeatureNetwork.train(
                SMALL, train, test, new FeatureNetwork.TrainingOptions(1, 32, 2e-3f, 0), null)) {
            double accuracy = Double.parseDouble(network.meta().get("test-accuracy"));
            assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
            assertEquals("64", network.meta().get("test-images"));
            before = network.run(test);
            network.save(file);
        }
        try (FeatureNetwork loaded = FeatureNetwork.load(file)) {
            FeatureNetwork.Outputs after = loaded.run(test);
            assertEquals(16, loaded.featureDimension());
            assertEquals(16, after.features()[0].length);
            for (int i = 0; i < test.size(); i++) {
                assertArrayEquals(before.features()[i], after.features()[i], 1e-6, "features of image " + i);
            }
            ImageScores.Scores same = ImageScores.compare(loaded, test, test);
            assertEquals(0, same.classifierFd(), 1e-6);
            assertEquals(same.realClassifierIs(), same.classifierIs(), 1e-12);
            assertEquals(3, same.toTable().rowCount());
            assertEquals("classifier FD", same.toTable().stringColumn("metric").get(0));
            ImageScores.Scores other = ImageScores.compare(loaded, test, train);
            assertTrue(other.classifierFd() > 0, "different images give a positive distance");
        }
    }

    @Test
    void interruptedTrainingResumesExactly() throws Exception {
        ImageSet train = ImageSets.subset(TestImages.cifarTest(), 0, 96);
        ImageSet test = ImageSets.subset(TestImages.cifarTest(), 96, 128);
        FeatureNetwork.TrainingOptions options = new FeatureNetwork.TrainingOptions(3, 32, 2e-3f, 7);
        FeatureNetwork.Outputs straight;
        try (FeatureNetwork network = FeatureNetwork.train(SMALL, train, test, options, null)) {
            straight = network.run(test);
        }

        Path progress = folder.resolve("training.ckpt");
        FeatureNetwork.train(SMALL, train, test, options, null, progress, 1).close();
        assertTrue(Files.isRegularFile(progress), "a checkpoint after epoch 1");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (FeatureNetwork resumed = FeatureNetwork.train(
                SMALL, train, test, options, new PrintStream(log, true), progress)) {
            assertTrue(log.toString().contains("Resuming classifier training after epoch 1"), log.toString());
            assertTrue(!log.toString().contains("epoch 1: train loss"), "epoch 1 is not trained again");
            FeatureNetwork.Outputs after = resumed.run(test);
            for (int i = 0; i < test.size(); i++) {
                assertArrayEquals(straight.features()[i], after.features()[i], "features of image " + i);
            }
        }
        assertTrue(Files.notExists(progress), "the checkpoint is deleted when training finishes");
    }

    @Test
    void resumeWithOtherSettingsRejected() {
        ImageSet train = ImageSets.subset(TestImages.cifarTest(), 0, 64);
        ImageSet test = ImageSets.subset(TestImages.cifarTest(), 64, 96);
        Path progress = folder.resolve("training.ckpt");
        FeatureNetwork.train(SMALL, train, test, new FeatureNetwork.TrainingOptions(2, 32, 2e-3f, 0), null, progress, 1)
                .close();
        NativeTokException error = assertThrows(NativeTokException.class, () -> FeatureNetwork.train(
                SMALL, train, test, new FeatureNetwork.TrainingOptions(2, 16, 2e-3f, 0), null, progress));
        assertTrue(error.getMessage().contains("batch-size = 32"), error.getMessage());
        assertTrue(error.getMessage().contains("delete the file"), error.getMessage());
    }

    @Test
    void tokenizerCheckpointIsNotAFeatureNetwork() {
        Path file = folder.resolve("tok.ckpt");
        try (io.nativetok.tokenizer.NativeTok tok = io.nativetok.tokenizer.NativeTok.builder().build()) {
            tok.save(file);
        }
        NativeTokException error = assertThrows(NativeTokException.class, () -> FeatureNetwork.load(file));
        assertTrue(error.getMessage().contains("not a feature network"), error.getMessage());
    }
}
