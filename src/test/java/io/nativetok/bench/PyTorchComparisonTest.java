package io.nativetok.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.data.ImageSet;
import io.nativetok.data.TestImages;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import io.nativetok.train.TrainingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PyTorchComparisonTest {

    private static final Path WORKER = Path.of("bench", "pytorch", "bench_worker.py");

    /** Images that are never read: the option checks run before any image is used. */
    private static ImageSet blankImages(int count, int side) {
        return new ImageSet() {
            @Override
            public int size() {
                return count;
            }

            @Override
            public int height() {
                return side;
            }

            @Override
            public int width() {
                return side;
            }

            @Override
            public void copyPixels(int index, byte[] destination, int offset) {}

            @Override
            public int label(int index) {
                return -1;
            }

            @Override
            public List<String> classNames() {
                return List.of();
            }
        };
    }

    private static TrainingConfig training(Preset preset, int batchSize) {
        return TrainingConfig.forPreset(preset).toBuilder().batchSize(batchSize).build();
    }

    private static IllegalArgumentException rejected(
            NativeTokConfig config, TrainingConfig training, ImageSet images, int repetitions) {
        PrintWriter progress = new PrintWriter(new StringWriter());
        return assertThrows(
                IllegalArgumentException.class,
                () -> PyTorchComparison.run(
                        config, training, images, repetitions, PythonProcess.executable(), WORKER, progress));
    }

    @Test
    void zeroRepetitionsRejected() {
        IllegalArgumentException e =
                rejected(Preset.TINY.config(), training(Preset.TINY, 4), blankImages(10, 32), 0);
        assertTrue(e.getMessage().contains("Invalid repetitions 0"), e.getMessage());
    }

    @Test
    void batchLargerThanImagesRejected() {
        IllegalArgumentException e =
                rejected(Preset.TINY.config(), training(Preset.TINY, 11), blankImages(10, 32), 1);
        assertTrue(e.getMessage().contains("Invalid batch size 11: expected 1 to 10"), e.getMessage());
    }

    @Test
    void batchBeyondMemoryRejected() {
        // The estimate is about 2 GiB per 256 x 256 image, so 100,000 images need about 200 TiB.
        IllegalArgumentException e =
                rejected(
                        Preset.IMAGENET256.config(), training(Preset.IMAGENET256, 100_000),
                        blankImages(100_000, 256), 1);
        assertTrue(e.getMessage().contains("does not fit in memory"), e.getMessage());
        assertTrue(e.getMessage().contains("Use a smaller --batch-size"), e.getMessage());
    }

    @Test
    void estimateGrowsWithBatchAndFullSequences() {
        NativeTokConfig config = Preset.CIFAR10.config();
        long java64 = PyTorchComparison.estimateStepBytes(config, 64, false);
        long java128 = PyTorchComparison.estimateStepBytes(config, 128, false);
        long reference64 = PyTorchComparison.estimateStepBytes(config, 64, true);
        assertTrue(java128 > java64, "a larger batch must need more memory");
        assertTrue(reference64 > java64, "full expert sequences must need more memory than query rows");
    }

    @Test
    void tinyComparisonRuns() {
        ImageSet images = TestImages.cifarTest();
        PythonProcess.requireTorch(PythonProcess.executable());
        StringWriter progress = new StringWriter();
        PyTorchComparison.Result result =
                PyTorchComparison.run(
                        Preset.TINY.config(), training(Preset.TINY, 4), images, 1,
                        PythonProcess.executable(), WORKER, new PrintWriter(progress));

        assertEquals(4, result.batchSize());
        for (PyTorchComparison.Side side : List.of(result.java(), result.pytorch())) {
            assertTrue(side.stepMillis() > 0, "step time " + side);
            assertTrue(side.encodeMillis() > 0, "encode time " + side);
            assertTrue(side.decodeMillis() > 0, "decode time " + side);
            assertTrue(side.matmulMillis() > 0, "matmul time " + side);
            assertTrue(side.peakResidentBytes() > 0, "peak resident memory " + side);
        }
        assertTrue(
                result.pytorch().forwardFlopsPerImage() > result.java().forwardFlopsPerImage(),
                "the reference recomputes whole expert sequences, so it must count more FLOPs");
        assertTrue(progress.toString().contains("training step: Java median"), progress.toString());

        StringWriter table = new StringWriter();
        PyTorchComparison.print(result, Preset.TINY.config(), new PrintWriter(table));
        assertTrue(table.toString().contains("| training step, median |"), table.toString());
    }

    /** A reference whose matmul runs at a small fraction of the Java side's gets a BLAS warning. */
    @Test
    void slowReferenceBlasIsReported() {
        PyTorchComparison.Side java = new PyTorchComparison.Side(2400, 490, 120, 53, 1e9, 1L << 31, 2, "Java");
        PyTorchComparison.Side fast = new PyTorchComparison.Side(3100, 700, 130, 57, 1.3e9, 1L << 31, 2, "PyTorch");
        PyTorchComparison.Side slow = new PyTorchComparison.Side(57000, 15000, 4800, 3372, 1.3e9, 1L << 31, 2, "PyTorch");

        assertFalse(printed(new PyTorchComparison.Result(64, 5, java, fast)).contains("warning:"));
        String table = printed(new PyTorchComparison.Result(64, 5, java, slow));
        assertTrue(table.contains("warning: the PyTorch reference's 2048 x 2048 matmul ran at 5.1 GFLOP/s"), table);
        assertTrue(table.contains("apt-get install libopenblas0-pthread"), table);
    }

    private static String printed(PyTorchComparison.Result result) {
        StringWriter table = new StringWriter();
        PyTorchComparison.print(result, Preset.CIFAR10.config(), new PrintWriter(table));
        return table.toString();
    }
}
