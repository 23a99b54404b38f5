package io.nativetok.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestImages;
import io.nativetok.util.NativeTokException;
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
    void tokenizerCheckpointIsNotAFeatureNetwork() {
        Path file = folder.resolve("tok.ckpt");
        try (io.nativetok.tokenizer.NativeTok tok = io.nativetok.tokenizer.NativeTok.builder().build()) {
            tok.save(file);
        }
        NativeTokException error = assertThrows(NativeTokException.class, () -> FeatureNetwork.load(file));
        assertTrue(error.getMessage().contains("not a feature network"), error.getMessage());
    }
}
