package io.nativetok.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.GsonBuilder;
import io.nativetok.bench.TensorFiles.Tensor;
import io.nativetok.data.Cifar10;
import io.nativetok.data.DataLocation;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.nn.NativeTokEncoder;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.tokenizer.TokenizerOutput;
import io.nativetok.util.NativeTokException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Writes a tokenizer's configuration and parameters, and optionally inputs and the Java model's
 * intermediate outputs, in files that the PyTorch reference ({@code
 * bench/pytorch/nativetok_reference.py}) reads with nothing but PyTorch.
 *
 * <p>Folder layout:
 *
 * <ul>
 *   <li>{@code config.json}: the flat configuration of {@code NativeTokConfig.toMap()};
 *   <li>{@code weights.json} and {@code weights.bin}: every parameter of {@code
 *       NativeTok.block().getParameters()} under its DJL name, in {@link TensorFiles} format;
 *   <li>{@code inputs.*}: {@code images}, float32 {@code (B, 3, H, W)} in [0, 1];
 *   <li>{@code java-outputs.*}: {@code x_latent} (NativeTok encoder only: the MIT output after the
 *       dimension switcher), {@code h} (the encoder outputs, row i being expert i's output h_i),
 *       {@code projected} (the l2-normalised projections before quantization), {@code ids} (int64)
 *       and {@code reconstruction} (in the model's [-1, 1] scale, unclipped).
 * </ul>
 *
 * <p>The reference maps DJL names to its own parameter names with {@code torch_name}: the child
 * index prefix is dropped, {@code layerN}, {@code expertN} and {@code latentN} become {@code
 * layers.N}, {@code experts.N} and {@code latents.N}, camelCase becomes snake_case and LayerNorm's
 * {@code gamma} and {@code beta} become {@code weight} and {@code bias}.
 */
public final class WeightExport {

    /** Tensor-file name of the parameters. */
    public static final String WEIGHTS = "weights";
    /** Tensor-file name of the input images. */
    public static final String INPUTS = "inputs";
    /** Tensor-file name of the Java model's outputs. */
    public static final String JAVA_OUTPUTS = "java-outputs";

    private WeightExport() {}

    /** Writes {@code config.json} and the parameters of {@code tokenizer} to {@code folder}. */
    public static void exportModel(NativeTok tokenizer, Path folder) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : tokenizer.block().getParameters()) {
            weights.put(entry.getKey(), Tensor.of(entry.getValue().getArray()));
        }
        TensorFiles.write(folder, WEIGHTS, weights);
        writeJson(folder.resolve("config.json"), tokenizer.config().toMap());
    }

    /**
     * Runs the Java model on {@code images} without training and returns each stage's output.
     *
     * @param images {@code (B, 3, H, W)} float32 in [0, 1]
     * @return {@code x_latent} (NativeTok encoder only), {@code h}, {@code projected}, {@code ids},
     *     {@code reconstruction}, as described in the class comment
     */
    public static Map<String, Tensor> forwardStages(NativeTok tokenizer, NDArray images) {
        tokenizer.checkImages(images);
        Map<String, Tensor> stages = new LinkedHashMap<>();
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(scope);
            x = x.mul(2).sub(1); // the model's [-1, 1] scale, as NativeTok.encode does it
            if (tokenizer.encoder() instanceof NativeTokEncoder nativeTok) {
                NDArray latent = nativeTok.mit().forward(tokenizer.parameterStore(), x, false);
                stages.put("x_latent", Tensor.of(latent));
            }
            TokenizerOutput output = tokenizer.forward(x, false);
            stages.put("h", Tensor.of(output.latents()));
            stages.put("projected", Tensor.of(output.quantized().projected()));
            stages.put("ids", Tensor.of(output.quantized().ids()));
            stages.put("reconstruction", Tensor.of(output.reconstruction()));
        }
        return stages;
    }

    /**
     * Writes the model, {@code images} and the Java model's outputs on them to {@code folder}.
     *
     * @param images {@code (B, 3, H, W)} float32 in [0, 1]
     * @return the Java outputs that were written
     */
    public static Map<String, Tensor> exportComparison(NativeTok tokenizer, NDArray images, Path folder) {
        exportModel(tokenizer, folder);
        TensorFiles.write(folder, INPUTS, Map.of("images", Tensor.of(images)));
        Map<String, Tensor> outputs = forwardStages(tokenizer, images);
        TensorFiles.write(folder, JAVA_OUTPUTS, outputs);
        return outputs;
    }

    /** Writes a map as pretty-printed JSON. */
    static void writeJson(Path file, Object value) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String json = new GsonBuilder().setPrettyPrinting().create().toJson(value);
            Files.writeString(file, json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeTokException("Failed to write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Exports a saved tokenizer: {@code WeightExport CHECKPOINT OUT_DIR [IMAGES]}. With IMAGES, the
     * first IMAGES CIFAR-10 test images (found like the command line finds them) and the Java
     * outputs on them are written too, so that {@code bench/pytorch/parity.py OUT_DIR} can compare.
     */
    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: WeightExport CHECKPOINT OUT_DIR [IMAGES]");
            System.exit(2);
        }
        Path folder = Path.of(args[1]);
        try (NativeTok tokenizer = NativeTok.load(Path.of(args[0]))) {
            if (args.length == 2) {
                exportModel(tokenizer, folder);
                return;
            }
            int count = Integer.parseInt(args[2]);
            Path data = DataLocation.fromSystem().locateCifar10(null, true, null);
            ImageSet set = Cifar10.load(data, Cifar10.Split.TEST_EXACT);
            if (count < 1 || count > set.size()) {
                throw new IllegalArgumentException(
                        "Invalid IMAGES " + count + ": expected 1 to " + set.size() + ".");
            }
            try (NDManager scope = tokenizer.manager().newSubManager()) {
                NDArray images = ImageSets.toArray(scope, set, IntStream.range(0, count).toArray());
                exportComparison(tokenizer, images, folder);
            }
        }
    }
}
