package io.nativetok.tokenizer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.Pair;
import io.nativetok.nn.GradMode;
import io.nativetok.nn.LatentEncoder;
import io.nativetok.nn.Layers;
import io.nativetok.nn.PixelDecoder;
import io.nativetok.nn.VectorQuantizer;
import io.nativetok.util.NativeTokException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A NativeTok visual tokenizer (or one of its baselines): images to discrete tokens and back.
 *
 * <p>NativeTok (Wu et al., "NativeTok: Native Visual Tokenization for Improved Image Generation",
 * arXiv 2601.22837) builds a causal order into 1-D image tokens: token i is computed from the image
 * and tokens 0..i-1 only. The encoder is a Meta Image Transformer (MIT) followed by a Mixture of
 * Causal Expert Transformer (MoCET) with one expert per token. A vector quantizer and a ViT decoder
 * complete the tokenizer. The TiTok and causal-mask baselines swap only the encoder.
 *
 * <p>Images passed in and returned are float32 arrays {@code (B, 3, H, W)} with values in [0, 1].
 * Token ids are {@code int[B][L]} with values in {@code [0, K)}.
 *
 * <pre>{@code
 * try (NativeTok tok = NativeTok.builder().preset(Preset.TINY).build()) {
 *     int[][] ids = tok.encode(images);
 *     NDArray decoded = tok.decode(ids, images.getManager());
 * }
 * }</pre>
 */
public final class NativeTok implements AutoCloseable {

    private static final String KIND = "tokenizer";

    private NativeTokConfig config;
    private final NDManager manager;
    private final TokenizerModel model;
    private ParameterStore parameterStore;

    private NativeTok(NativeTokConfig config, NDManager manager, TokenizerModel model) {
        this.config = config;
        this.manager = manager;
        this.model = model;
        this.parameterStore = new ParameterStore(manager, false);
    }

    /** Returns a builder that starts from the TINY preset. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a tokenizer with freshly initialised parameters on the CPU. */
    public static NativeTok create(NativeTokConfig config) {
        return create(config, Device.cpu());
    }

    /**
     * Builds a tokenizer with freshly initialised parameters on {@code device}.
     *
     * @throws NativeTokException when a GPU is requested but none is usable; there is no silent
     *     fall-back to the CPU
     */
    public static NativeTok create(NativeTokConfig config, Device device) {
        Devices.check(device);
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Engine.getInstance().setRandomSeed((int) config.seed());
            TokenizerModel model = new TokenizerModel(config);
            // Truncated normal (std 0.02) for every weight, as in ViT and TiTok; LayerNorm
            // parameters keep DJL's ones and zeros, biases its zeros.
            model.setInitializer(
                    new TruncatedNormalInitializer(Layers.INIT_STD), Parameter.Type.WEIGHT);
            model.initialize(manager, DataType.FLOAT32, inputShape(config, 1));
            return new NativeTok(config, manager, model);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Shape inputShape(NativeTokConfig config, long batch) {
        return new Shape(batch, 3, config.imageSize(), config.imageSize());
    }

    // ---------------------------------------------------------------- encode and decode

    /**
     * Encodes images into token ids.
     *
     * @param images {@code (B, 3, H, W)} float32 in [0, 1]
     * @return {@code int[B][L]}
     */
    public int[][] encode(NDArray images) {
        checkImages(images);
        try (GradMode off = GradMode.off();
                NDManager scope = images.getManager().newSubManager()) {
            NDArray x = toModelScale(images, scope);
            NDArray ids = model.encode(parameterStore, x);
            return toIntRows(ids);
        }
    }

    /**
     * Returns the encoder outputs before quantization, {@code (B, L, De)}, in {@code images}'
     * manager; the causality checks compare these.
     */
    public NDArray latents(NDArray images) {
        checkImages(images);
        NDManager target = images.getManager();
        try (GradMode off = GradMode.off();
                NDManager scope = target.newSubManager()) {
            NDArray x = toModelScale(images, scope);
            NDArray latents = model.encoder().encode(parameterStore, x, false);
            latents.attach(target);
            return latents;
        }
    }

    /**
     * Decodes token ids into images.
     *
     * @param ids {@code int[B][L']}, the first L' tokens of each image ({@code 1 <= L' <= L}); the
     *     decoder fills missing positions with its learned absent-token embedding
     * @param into the manager that owns the returned array
     * @return {@code (B, 3, H, W)} float32 in [0, 1]
     */
    public NDArray decode(int[][] ids, NDManager into) {
        checkIds(ids);
        try (GradMode off = GradMode.off();
                NDManager scope = into.newSubManager()) {
            NDArray idArray = scope.create(flatten(ids), new Shape(ids.length, ids[0].length));
            NDArray images = toPixelScale(model.decode(parameterStore, idArray));
            images.attach(into);
            return images;
        }
    }

    /** Decodes only the first {@code prefix} tokens of each row of {@code ids}. */
    public NDArray decodePrefix(int[][] ids, int prefix, NDManager into) {
        if (prefix < 1 || prefix > config.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid prefix length " + prefix + ": expected 1 to " + config.tokens()
                            + " (the tokenizer's token count).");
        }
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException(
                    "No token ids to decode: expected int[B][L] with B >= 1.");
        }
        int[][] head = new int[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            if (ids[b] == null) {
                throw new IllegalArgumentException(
                        "Invalid token rows: row " + b + " is null. Expected 1 to " + config.tokens()
                                + " ids per image.");
            }
            head[b] = java.util.Arrays.copyOf(ids[b], Math.min(prefix, ids[b].length));
        }
        return decode(head, into);
    }

    /**
     * Encodes and decodes images.
     *
     * @param images {@code (B, 3, H, W)} float32 in [0, 1]
     * @return reconstructions in [0, 1], owned by {@code images}' manager
     */
    public NDArray reconstruct(NDArray images) {
        checkImages(images);
        NDManager target = images.getManager();
        try (NDManager scope = target.newSubManager()) {
            NDArray x = toModelScale(images, scope);
            NDArray result = model.reconstruct(parameterStore, x);
            result = toPixelScale(result);
            result.attach(target);
            return result;
        }
    }

    /**
     * Runs the whole model on images already in the model's [-1, 1] scale; the trainer's forward
     * pass. Results belong to {@code images}' manager.
     */
    public TokenizerOutput forward(NDArray images, boolean training) {
        return model.forward(parameterStore, images, training);
    }

    /** Maps [0, 1] images to the model's [-1, 1] scale, in {@code scope} and on its device. */
    static NDArray toModelScale(NDArray images, NDManager scope) {
        NDArray view =
                images.getDevice().equals(scope.getDevice())
                        ? images.reshape(images.getShape())
                        : images.toDevice(scope.getDevice(), true);
        view.attach(scope);
        return view.mul(2).sub(1);
    }

    /** Maps model outputs in [-1, 1] back to [0, 1] images, clipped. */
    static NDArray toPixelScale(NDArray output) {
        return output.add(1).div(2).clip(0, 1);
    }

    // ---------------------------------------------------------------- checks

    /**
     * Throws when {@code images} is not {@code (B, 3, H, W)} float32 at this tokenizer's size, or
     * contains NaN or infinite values. Values outside [0, 1] are accepted, since noise probes such
     * as {@link CausalityCheck} add small perturbations.
     */
    public void checkImages(NDArray images) {
        if (images == null) {
            throw new IllegalArgumentException(
                    "No images: expected a (B, 3, " + config.imageSize() + ", " + config.imageSize()
                            + ") float32 array in [0, 1].");
        }
        Shape shape = images.getShape();
        int size = config.imageSize();
        boolean ok =
                shape.dimension() == 4
                        && shape.get(0) >= 1
                        && shape.get(1) == 3
                        && shape.get(2) == size
                        && shape.get(3) == size;
        if (!ok) {
            throw new IllegalArgumentException(
                    "Invalid image batch shape " + shape + ": expected (B, 3, " + size + ", " + size
                            + ") for image-size " + size + ". Resize the images (ImageFolder can),"
                            + " or build the tokenizer with image-size matching your data.");
        }
        if (images.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    "Invalid image data type " + images.getDataType()
                            + ": expected float32 values in [0, 1]. Convert with"
                            + " toType(DataType.FLOAT32, false).div(255) for 8-bit pixels.");
        }
        checkFinite(images);
    }

    /** Throws when {@code images} contains NaN or infinite values, naming how many and where. */
    private static void checkFinite(NDArray images) {
        try (NDManager scope = images.getManager().newSubManager()) {
            NDArray view = images.reshape(images.getShape());
            view.attach(scope);
            NDArray nonFinite = view.isNaN().logicalOr(view.isInfinite());
            long count = nonFinite.countNonzero().getLong();
            if (count == 0) {
                return;
            }
            long first = nonFinite.flatten().toType(DataType.INT32, false).argMax().getLong();
            long perImage = images.getShape().size() / images.getShape().get(0);
            throw new IllegalArgumentException(
                    "Invalid images: " + count + " values are NaN or infinite, the first in image "
                            + first / perImage + " (flat index " + first + "). Expected finite values"
                            + " in [0, 1]; check the data source or the preprocessing.");
        }
    }

    private void checkIds(int[][] ids) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException(
                    "No token ids to decode: expected int[B][L] with B >= 1.");
        }
        int length = ids[0] == null ? 0 : ids[0].length;
        if (length < 1 || length > config.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid token row length " + length + ": expected 1 to " + config.tokens()
                            + " ids per image.");
        }
        int codebookSize = config.quantizer().codebookSize();
        for (int b = 0; b < ids.length; b++) {
            if (ids[b] == null || ids[b].length != length) {
                throw new IllegalArgumentException(
                        "Invalid token rows: row " + b + " has "
                                + (ids[b] == null ? "no" : String.valueOf(ids[b].length))
                                + " ids but row 0 has " + length + "; all rows need the same length.");
            }
            for (int i = 0; i < length; i++) {
                int id = ids[b][i];
                if (id < 0 || id >= codebookSize) {
                    throw new IllegalArgumentException(
                            "Invalid token id " + id + " at image " + b + ", position " + i
                                    + ": expected 0 to " + (codebookSize - 1)
                                    + " (codebook size " + codebookSize + ").");
                }
            }
        }
    }

    private static long[] flatten(int[][] ids) {
        int length = ids[0].length;
        long[] flat = new long[ids.length * length];
        for (int b = 0; b < ids.length; b++) {
            for (int i = 0; i < length; i++) {
                flat[b * length + i] = ids[b][i];
            }
        }
        return flat;
    }

    private static int[][] toIntRows(NDArray ids) {
        int rows = Math.toIntExact(ids.getShape().get(0));
        int length = Math.toIntExact(ids.getShape().get(1));
        long[] flat = ids.toLongArray();
        int[][] result = new int[rows][length];
        for (int b = 0; b < rows; b++) {
            for (int i = 0; i < length; i++) {
                result[b][i] = (int) flat[b * length + i];
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- save and load

    /** Saves configuration and parameters to {@code path}, atomically. */
    public void save(Path path) {
        save(path, Map.of(), Map.of());
    }

    /** Saves with extra metadata and arrays (used by the trainer for optimizer state). */
    public void save(Path path, Map<String, String> meta, Map<String, NDArray> extra) {
        CheckpointFile.write(path, KIND, config.toMap(), meta, model, extra);
    }

    /** Loads a tokenizer saved by {@link #save(Path)} or by a trainer. */
    public static NativeTok load(Path path) {
        return load(path, Device.cpu());
    }

    /** Loads a tokenizer onto {@code device}. */
    public static NativeTok load(Path path, Device device) {
        CheckpointFile.Header header = CheckpointFile.readHeader(path);
        checkKind(path, header);
        NativeTok tok = create(configOf(path, header), device);
        try {
            tok.loadParameters(path);
            return tok;
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    /**
     * Replaces this tokenizer's parameters with those saved in {@code path}, which must have been
     * saved with the same configuration.
     *
     * @return the checkpoint's extra arrays (empty for a plain save), in this tokenizer's manager
     */
    public Map<String, NDArray> loadParameters(Path path) {
        CheckpointFile.Header header = CheckpointFile.readHeader(path);
        checkKind(path, header);
        NativeTokConfig saved = configOf(path, header);
        List<String> differences = config.differences(saved);
        if (!differences.isEmpty()) {
            throw new NativeTokException(
                    "Checkpoint " + path + " was saved with another configuration; differing"
                            + " keys (this model -> checkpoint): " + String.join("; ", differences)
                            + ". Build the tokenizer with the checkpoint's configuration, e.g."
                            + " NativeTok.load(path).");
        }
        return CheckpointFile.readInto(path, model, manager);
    }

    /** Returns the flat model configuration stored in a checkpoint. */
    public static Map<String, String> readHeaderConfig(Path path) {
        return CheckpointFile.readHeader(path).config();
    }

    /** Returns the metadata stored with a checkpoint, e.g. the training step. */
    public static Map<String, String> readMeta(Path path) {
        return CheckpointFile.readHeader(path).meta();
    }

    private static void checkKind(Path path, CheckpointFile.Header header) {
        if (!KIND.equals(header.kind())) {
            throw new NativeTokException(
                    "Checkpoint " + path + " is of kind '" + header.kind() + "', not a tokenizer. Pass a"
                            + " tokenizer checkpoint, written by NativeTok.save or `nativetok train`.");
        }
    }

    private static NativeTokConfig configOf(Path path, CheckpointFile.Header header) {
        try {
            return NativeTokConfig.fromMap(header.config());
        } catch (IllegalArgumentException e) {
            throw new NativeTokException(
                    "Checkpoint " + path + " has a configuration this version cannot build: "
                            + e.getMessage(),
                    e);
        }
    }

    // ---------------------------------------------------------------- introspection

    /** Returns the resolved configuration. */
    public NativeTokConfig config() {
        return config;
    }

    /** Returns L, the number of tokens per image. */
    public int tokens() {
        return config.tokens();
    }

    /** Returns K, the codebook size. */
    public int codebookSize() {
        return config.quantizer().codebookSize();
    }

    /** Returns the total number of parameters. */
    public long parameterCount() {
        return countParameters(model);
    }

    /** Returns parameter counts of the encoder, quantizer and decoder, counted on the built model. */
    public Map<String, Long> parameterCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        long feedback = model.feedbackProjection() == null ? 0 : countParameters(model.feedbackProjection());
        counts.put("encoder", countParameters(model.encoder()) + feedback);
        counts.put("quantizer", countParameters(model.quantizer()));
        counts.put("decoder", countParameters(model.decoder()));
        return counts;
    }

    private static long countParameters(ai.djl.nn.Block block) {
        long total = 0;
        for (Pair<String, Parameter> entry : block.getParameters()) {
            total += entry.getValue().getArray().getShape().size();
        }
        return total;
    }

    /** Creates a trainer for this tokenizer; close it before the tokenizer. */
    public io.nativetok.train.TokenizerTrainer newTrainer(io.nativetok.train.TrainingConfig config) {
        return new io.nativetok.train.TokenizerTrainer(this, config);
    }

    /** Returns the DJL block holding every parameter (for optimizers, freezing and inspection). */
    public ai.djl.nn.Block block() {
        return model;
    }

    /** Returns the encoder. */
    public LatentEncoder encoder() {
        return model.encoder();
    }

    /** Returns the quantizer. */
    public VectorQuantizer quantizer() {
        return model.quantizer();
    }

    /** Returns the decoder. */
    public PixelDecoder decoder() {
        return model.decoder();
    }

    /** Returns the manager that owns the parameters. */
    public NDManager manager() {
        return manager;
    }

    /** Returns the parameter store used for forward passes. */
    public ParameterStore parameterStore() {
        return parameterStore;
    }

    /**
     * Runs the whole model but decodes only the first {@code prefix} tokens; images in the model's
     * [-1, 1] scale. Used for nested tail dropout.
     */
    public TokenizerOutput forwardPrefix(NDArray images, int prefix, boolean training) {
        if (prefix < 1 || prefix > config.tokens()) {
            throw new IllegalArgumentException(
                    "Invalid prefix length " + prefix + ": expected 1 to " + config.tokens() + ".");
        }
        return model.forwardPrefix(parameterStore, images, prefix, training);
    }

    /**
     * Grows a NativeTok tokenizer to {@code newTokens} tokens, as Hierarchical Native Training does:
     * new experts are appended after the existing ones and the decoder's latent position embeddings
     * are extended; every existing parameter keeps its value, so tokens 0..L-1 stay as they were.
     *
     * @throws IllegalArgumentException when {@code newTokens} is not larger than the current count
     * @throws IllegalStateException when the encoder is not NativeTok's (baselines cannot grow)
     */
    public void growTokens(int newTokens) {
        if (config.encoder() != EncoderKind.NATIVETOK) {
            throw new IllegalStateException(
                    "Cannot grow a " + config.encoder().id() + " tokenizer: only the nativetok encoder"
                            + " adds tokens by adding experts.");
        }
        if (newTokens <= config.tokens()) {
            throw new IllegalArgumentException(
                    "Cannot grow from " + config.tokens() + " to " + newTokens
                            + " tokens: the new token count must be larger.");
        }
        Engine.getInstance().setRandomSeed((int) (config.seed() * 31 + newTokens));
        model.growTokens(newTokens, manager);
        config = model.config();
        parameterStore = new ParameterStore(manager, false);
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "NativeTok[" + config.encoder().id() + ", " + config.tokens() + " tokens, K="
                + codebookSize() + ", " + parameterCount() + " parameters]";
    }

    /**
     * Builds a {@link NativeTok}: start from a preset, override any knob, then {@link #build()}.
     */
    public static final class Builder {

        private NativeTokConfig.Builder config = Preset.TINY.toBuilder();
        private Device device = Device.cpu();
        private final List<Consumer<NativeTokConfig.Builder>> edits = new java.util.ArrayList<>();

        Builder() {}

        /** Starts from a preset; edits made before or after this call are applied on top. */
        public Builder preset(Preset preset) {
            config = preset.toBuilder();
            return this;
        }

        /** Starts from a preset given by name, e.g. {@code "cifar10"}. */
        public Builder preset(String name) {
            return preset(Preset.parse(name));
        }

        /** Sets the encoder kind (NativeTok or a baseline). */
        public Builder encoder(EncoderKind kind) {
            edits.add(b -> b.encoder(kind));
            return this;
        }

        /** Edits the Meta Image Transformer. */
        public Builder mit(Consumer<NativeTokConfig.TransformerOptions> edit) {
            edits.add(b -> b.mit(edit));
            return this;
        }

        /** Edits the causal experts and the token count. */
        public Builder mocet(Consumer<NativeTokConfig.ExpertOptions> edit) {
            edits.add(b -> b.mocet(edit));
            return this;
        }

        /** Edits the single ViT of the TiTok and causal-mask encoders. */
        public Builder baseline(Consumer<NativeTokConfig.TransformerOptions> edit) {
            edits.add(b -> b.baseline(edit));
            return this;
        }

        /** Edits the quantizer. */
        public Builder quantizer(Consumer<NativeTokConfig.QuantizerOptions> edit) {
            edits.add(b -> b.quantizer(edit));
            return this;
        }

        /** Edits the decoder. */
        public Builder decoder(Consumer<NativeTokConfig.TransformerOptions> edit) {
            edits.add(b -> b.decoder(edit));
            return this;
        }

        /** Sets the number of tokens L. */
        public Builder tokens(int tokens) {
            edits.add(b -> b.tokens(tokens));
            return this;
        }

        /** Sets the image size and patch size. */
        public Builder image(int imageSize, int patchSize) {
            edits.add(b -> b.imageSize(imageSize).patchSize(patchSize));
            return this;
        }

        /** Sets the seed of parameter initialisation. */
        public Builder seed(long seed) {
            edits.add(b -> b.seed(seed));
            return this;
        }

        /** Sets one knob by key, e.g. {@code set("mit.depth", "6")}; see {@link NativeTokConfig#keys()}. */
        public Builder set(String key, String value) {
            edits.add(b -> b.set(key, value));
            return this;
        }

        /** Returns the resolved, validated configuration without building the model. */
        public NativeTokConfig config() {
            for (Consumer<NativeTokConfig.Builder> edit : edits) {
                edit.accept(config);
            }
            edits.clear();
            return config.build();
        }

        /** Sets the device, {@code Device.cpu()} by default; a missing GPU is an error at build(). */
        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        /** Sets the device by name: {@code cpu}, {@code gpu} or {@code gpu:N}. */
        public Builder device(String name) {
            return device(Devices.parse(name));
        }

        /** Validates the configuration and builds the tokenizer. */
        public NativeTok build() {
            return create(config(), device);
        }
    }
}
