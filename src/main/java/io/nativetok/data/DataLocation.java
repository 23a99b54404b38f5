package io.nativetok.data;

import io.nativetok.util.ProgressListener;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolution of the CIFAR-10 folder for the command line and the trainer.
 *
 * <p>When the {@code --data} flag is given, its folder is the only candidate. Otherwise the
 * candidates, in order, are the environment variable {@code NATIVETOK_DATA} when set and {@code
 * datasets/cifar10} under the working directory. The first candidate that contains all six {@code
 * .bin} files wins. When none does and downloads are allowed, the official archive is downloaded
 * into the first candidate.
 */
public final class DataLocation {

    /** Environment variable that names the CIFAR-10 folder. */
    public static final String ENVIRONMENT_VARIABLE = "NATIVETOK_DATA";

    /** Default CIFAR-10 folder, relative to the working directory. */
    public static final Path DEFAULT_FOLDER = Path.of("datasets", "cifar10");

    private static final Logger LOG = LoggerFactory.getLogger(DataLocation.class);

    /** A folder that was checked, and where its path came from, such as {@code "--data"}. */
    public record Candidate(String source, Path folder) {
    }

    private final Function<String, String> environment;
    private final Path workingDirectory;
    private final URI downloadUrl;
    private final String downloadMd5;
    private final Duration stallTimeout;

    private DataLocation(Builder builder) {
        this.environment = builder.environment;
        this.workingDirectory = builder.workingDirectory;
        this.downloadUrl = builder.downloadUrl;
        this.downloadMd5 = builder.downloadMd5;
        this.stallTimeout = builder.stallTimeout;
    }

    /** Returns a resolver that reads the process environment and the current working directory. */
    public static DataLocation fromSystem() {
        return builder().build();
    }

    /** Returns a builder with the process environment, the current working directory and the official archive. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the CIFAR-10 folder: the first candidate that contains the six {@code .bin} files,
     * or the first candidate after a download into it. An explicit {@code --data} folder is the
     * only candidate, so a wrong flag is never silently replaced by another folder.
     *
     * @param flag the value of {@code --data}, or null when it was not given; a relative path is
     *     resolved against the working directory
     * @param offline true to never download
     * @param progress receives download progress in bytes, or null for none
     * @throws DataException when no candidate contains the data and the download is disabled or
     *     fails. The message lists every folder checked, why it failed and how to get the data.
     */
    public Path locateCifar10(Path flag, boolean offline, ProgressListener progress) {
        List<Candidate> candidates = candidates(flag);
        List<String> failures = new ArrayList<>();
        for (Candidate candidate : candidates) {
            String problem = problemWith(candidate.folder());
            if (problem == null) {
                if (!failures.isEmpty()) {
                    LOG.warn("Using CIFAR-10 in {} ({}) because {}", candidate.folder(), candidate.source(),
                            String.join("; ", failures));
                } else {
                    LOG.info("Using CIFAR-10 in {} ({})", candidate.folder(), candidate.source());
                }
                return candidate.folder();
            }
            failures.add(candidate.source() + " " + candidate.folder() + ": " + problem);
        }

        Path target = candidates.get(0).folder();
        if (offline) {
            throw notFound(failures, "Offline mode is on, so nothing was downloaded.", null);
        }
        try {
            Download download = Download.builder()
                    .progress(progress == null ? ProgressListener.NONE : progress)
                    .stallTimeout(stallTimeout)
                    .build();
            return download.downloadCifar10(target, downloadUrl, downloadMd5);
        } catch (DataException e) {
            throw notFound(failures, "The download into " + target + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Returns the folders to check, in order: the flag alone when given, else the environment
     * variable when set, then the default folder.
     */
    public List<Candidate> candidates(Path flag) {
        List<Candidate> candidates = new ArrayList<>();
        if (flag != null) {
            candidates.add(new Candidate("--data", absolute(flag)));
            return candidates;
        }
        String variable = environment.apply(ENVIRONMENT_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            candidates.add(new Candidate(ENVIRONMENT_VARIABLE, absolute(Path.of(variable))));
        }
        candidates.add(new Candidate("default folder", defaultFolder()));
        return candidates;
    }

    private Path defaultFolder() {
        return absolute(DEFAULT_FOLDER);
    }

    private Path absolute(Path path) {
        return workingDirectory.resolve(path).normalize();
    }

    /** Returns why {@code folder} does not contain CIFAR-10, or null when it does. */
    private static String problemWith(Path folder) {
        if (!Files.exists(folder)) {
            return "folder not found";
        }
        if (!Files.isDirectory(folder)) {
            return "not a folder";
        }
        List<String> missing = Cifar10.missingFiles(folder);
        return missing.isEmpty() ? null : "missing " + String.join(", ", missing);
    }

    private static DataException notFound(List<String> failures, String outcome, Throwable cause) {
        StringBuilder message = new StringBuilder("CIFAR-10 not found. Looked in:");
        for (String failure : failures) {
            message.append(System.lineSeparator()).append("  ").append(failure);
        }
        message.append(System.lineSeparator()).append(outcome)
                .append(System.lineSeparator())
                .append("To get the data, run `nativetok data download cifar10`, set ")
                .append(ENVIRONMENT_VARIABLE)
                .append(" to a folder that contains ")
                .append(String.join(", ", Cifar10.DATA_FILES))
                .append(", or pass --data DIR.");
        return new DataException(message.toString(), cause);
    }

    /** Options of a {@link DataLocation}. */
    public static final class Builder {
        private Function<String, String> environment = System::getenv;
        private Path workingDirectory = Path.of("").toAbsolutePath();
        private URI downloadUrl = Download.CIFAR10_URL;
        private String downloadMd5 = Download.CIFAR10_MD5;
        private Duration stallTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** Sets the environment lookup, {@code System::getenv} by default; tests pass {@code Map::get}. */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Sets the folder that relative paths and the default folder are resolved against. */
        public Builder workingDirectory(Path workingDirectory) {
            this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
            return this;
        }

        /** Sets the archive to download; the official CIFAR-10 binary archive by default. */
        public Builder downloadUrl(URI url) {
            this.downloadUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        /** Sets the expected MD5 of the archive in hex; the official archive's MD5 by default. */
        public Builder downloadMd5(String md5) {
            this.downloadMd5 = Objects.requireNonNull(md5, "md5");
            return this;
        }

        /** Sets the download's stall timeout; 60 s by default. */
        public Builder stallTimeout(Duration stallTimeout) {
            this.stallTimeout = Objects.requireNonNull(stallTimeout, "stallTimeout");
            return this;
        }

        /** Returns the resolver. */
        public DataLocation build() {
            return new DataLocation(this);
        }
    }
}
