package io.nativetok.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.Pair;
import io.nativetok.nn.Layers;
import io.nativetok.tokenizer.CheckpointFile;
import io.nativetok.util.NativeTokException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared parts of both generators: parameters, their manager, saving, loading and input checks. */
abstract class BaseGenerator implements Generator {

    final GeneratorConfig config;
    final NDManager manager;
    final TokenTransformer network;
    ParameterStore parameterStore;

    BaseGenerator(GeneratorConfig config, int inputIds, int positionCount) {
        this.config = config;
        this.manager = NDManager.newBaseManager();
        try {
            Engine.getInstance().setRandomSeed((int) config.seed());
            network = new TokenTransformer(config, inputIds, positionCount);
            // Truncated normal (std 0.02) for weights and embeddings, as in LlamaGen; RMSNorm
            // gains start at one.
            network.setInitializer(new TruncatedNormalInitializer(Layers.INIT_STD), Parameter.Type.WEIGHT);
            network.initialize(manager, DataType.FLOAT32, network.initializationShape());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        parameterStore = new ParameterStore(manager, false);
    }

    /**
     * Loads the parameters saved at {@code path} into a newly built {@code generator} and returns
     * it; the generator is closed when loading fails.
     */
    static <G extends BaseGenerator> G loadInto(G generator, Path path) {
        try {
            generator.loadParameters(path).values().forEach(NDArray::close);
            return generator;
        } catch (RuntimeException e) {
            generator.close();
            throw e;
        }
    }

    /** Returns the checkpoint kind, e.g. {@code ar-generator}. */
    abstract String checkpointKind();

    @Override
    public GeneratorConfig config() {
        return config;
    }

    @Override
    public Block block() {
        return network;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public long parameterCount() {
        long total = 0;
        for (Pair<String, Parameter> entry : network.getParameters()) {
            total += entry.getValue().getArray().getShape().size();
        }
        return total;
    }

    @Override
    public void save(Path path, Map<String, String> meta, Map<String, NDArray> extra) {
        CheckpointFile.write(path, checkpointKind(), config.toMap(), meta, network, extra);
    }

    @Override
    public Map<String, NDArray> loadParameters(Path path) {
        CheckpointFile.Header header = CheckpointFile.readHeader(path);
        if (!checkpointKind().equals(header.kind())) {
            throw new NativeTokException(
                    "Checkpoint " + path + " is of kind '" + header.kind() + "', not '" + checkpointKind()
                            + "'. Load it with Generators.load(path), which reads every generator kind.");
        }
        List<String> differences = config.differences(GeneratorConfig.fromMap(header.config()));
        if (!differences.isEmpty()) {
            throw new NativeTokException(
                    "Checkpoint " + path + " was saved with another generator configuration; differing"
                            + " keys (this model -> checkpoint): " + String.join("; ", differences)
                            + ". Build the generator with the checkpoint's configuration, e.g."
                            + " Generators.load(path).");
        }
        Map<String, NDArray> extra = CheckpointFile.readInto(path, network, manager);
        for (Pair<String, Parameter> entry : network.getParameters()) {
            Parameter parameter = entry.getValue();
            parameter.getArray().setRequiresGradient(parameter.requiresGradient());
        }
        parameterStore = new ParameterStore(manager, false);
        return extra;
    }

    /** Throws when a class id is outside {@code [0, C)}. */
    void checkClasses(int[] classes) {
        if (classes == null || classes.length == 0) {
            throw new IllegalArgumentException("No classes to sample: expected at least one class id.");
        }
        for (int c : classes) {
            if (c < 0 || c >= config.classes()) {
                throw new IllegalArgumentException(
                        "Invalid class id " + c + ": expected 0 to " + (config.classes() - 1) + " (the generator's "
                                + config.classes() + " classes).");
            }
        }
    }

    /** Returns the class ids with each replaced by the null class C with the dropout probability. */
    long[] dropClasses(NDArray classes, java.util.SplittableRandom random, boolean training) {
        long[] ids = classes.toLongArray();
        if (training && config.classDropout() > 0) {
            for (int b = 0; b < ids.length; b++) {
                if (random.nextDouble() < config.classDropout()) {
                    ids[b] = config.classes();
                }
            }
        }
        return ids;
    }

    /**
     * Returns class ids for a sampling batch: the requested classes, followed by as many null
     * classes when guidance needs unconditional logits.
     */
    static long[] samplingClasses(int[] classes, boolean guided, int nullClass) {
        long[] ids = new long[guided ? 2 * classes.length : classes.length];
        for (int b = 0; b < classes.length; b++) {
            ids[b] = classes[b];
            if (guided) {
                ids[classes.length + b] = nullClass;
            }
        }
        return ids;
    }

    /** Returns the cross-entropy (nats) per position {@code (B, n)} of {@code logits (B, n, K)}. */
    static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray logProbabilities = logits.logSoftmax(-1);
        return logProbabilities.gather(targets.expandDims(-1), -1).squeeze(-1).neg();
    }

    @Override
    public void close() {
        manager.close();
    }
}
