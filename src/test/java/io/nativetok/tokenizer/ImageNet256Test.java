package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.nativetok.data.ImageFolder;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.data.TestData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageNet256Test {

    @Test
    void paperSizedPresetEncodesAndDecodesOneImage() {
        Path sample = TestData.imagenetSample();
        ImageSet images = ImageFolder.builder().size(256, 256).limit(1).build().load(sample.resolve("images"));
        try (NativeTok tok = NativeTok.builder().preset(Preset.IMAGENET256).build();
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals(ParameterCounts.of(tok.config()).get("total"), tok.parameterCount());
            NDArray image = ImageSets.toArray(manager, images, new int[] {0});
            int[][] ids = tok.encode(image);
            assertEquals(32, ids[0].length);
            NDArray decoded = tok.decode(ids, manager);
            assertEquals(new Shape(1, 3, 256, 256), decoded.getShape());
        }
    }
}
