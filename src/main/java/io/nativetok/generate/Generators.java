package io.nativetok.generate;

import io.nativetok.tokenizer.CheckpointFile;
import io.nativetok.util.NativeTokException;
import java.nio.file.Path;
import java.util.Map;

/** Creates and loads generators of either kind. */
public final class Generators {

    private Generators() {}

    /** Creates a generator of the configuration's kind with fresh parameters. */
    public static Generator create(GeneratorConfig config) {
        return switch (config.kind()) {
            case AR -> new ArGenerator(config);
            case MASKGIT -> new MaskGitGenerator(config);
        };
    }

    /**
     * Loads a generator saved by {@link GeneratorTrainer#save} or {@link Generator#save}.
     *
     * @throws NativeTokException when the file is missing, corrupted or contains something else
     */
    public static Generator load(Path path) {
        CheckpointFile.Header header = CheckpointFile.readHeader(path);
        GeneratorConfig config = configOf(path, header);
        return switch (header.kind()) {
            case ArGenerator.KIND -> ArGenerator.load(config, path);
            case MaskGitGenerator.KIND -> MaskGitGenerator.load(config, path);
            default -> throw new NativeTokException(
                    "Checkpoint " + path + " is of kind '" + header.kind() + "', not a generator. Pass a file"
                            + " written by `nativetok train-generator`.");
        };
    }

    /** Returns the metadata saved with a generator checkpoint, e.g. the step and the tokenizer identity. */
    public static Map<String, String> readMeta(Path path) {
        return CheckpointFile.readHeader(path).meta();
    }

    /** Returns the configuration saved in a generator checkpoint. */
    public static GeneratorConfig readConfig(Path path) {
        return configOf(path, CheckpointFile.readHeader(path));
    }

    private static GeneratorConfig configOf(Path path, CheckpointFile.Header header) {
        if (!header.kind().equals(ArGenerator.KIND) && !header.kind().equals(MaskGitGenerator.KIND)) {
            throw new NativeTokException(
                    "Checkpoint " + path + " is of kind '" + header.kind() + "', not a generator. Pass a file"
                            + " written by `nativetok train-generator`.");
        }
        try {
            return GeneratorConfig.fromMap(header.config());
        } catch (IllegalArgumentException e) {
            throw new NativeTokException(
                    "Checkpoint " + path + " has a generator configuration this version cannot build: "
                            + e.getMessage(), e);
        }
    }
}
