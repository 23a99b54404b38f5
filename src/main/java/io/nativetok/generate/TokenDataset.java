package io.nativetok.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import io.nativetok.data.ImageSet;
import io.nativetok.data.ImageSets;
import io.nativetok.tokenizer.NativeTok;
import io.nativetok.util.NativeTokException;
import io.nativetok.util.ProgressListener;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The tokens of a labelled image set under one tokenizer: N rows of L ids in {@code [0, K)}, one
 * class label per row, and the tokenizer's identity, so that a generator is never trained on or
 * decoded with another tokenizer's ids.
 *
 * <p>The identity is the SHA-256 of the tokenizer's configuration ({@code key=value} lines in key
 * order) and of every parameter's name and float32 values, in hexadecimal. Two tokenizers with the
 * same configuration but different training have different identities.
 *
 * <p>File layout: the magic line {@code NATIVETOK-TOKENS}, the format version (int), a JSON header
 * (counts, codebook size, class names, tokenizer identity and configuration), the ids as unsigned
 * 16-bit values when K is at most 65,536 (else 32-bit), the labels as 16-bit values, then a CRC-32
 * of all preceding bytes. Files are written to a temporary file and renamed into place.
 */
public final class TokenDataset {

    /** The current format version; files with a higher version are rejected. */
    public static final int FORMAT_VERSION = 1;

    private static final byte[] MAGIC = "NATIVETOK-TOKENS\n".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new Gson();
    private static final Type HEADER_TYPE = new TypeToken<LinkedHashMap<String, Object>>() {}.getType();
    private static final int MAX_CLASSES = Short.MAX_VALUE;

    private final int[] ids;
    private final int[] labels;
    private final int length;
    private final int codebookSize;
    private final List<String> classNames;
    private final String tokenizerIdentity;
    private final Map<String, String> tokenizerConfig;

    /**
     * Creates a data set from ids and labels; both arrays are copied and checked.
     *
     * @param tokens {@code int[N][L]} ids in {@code [0, codebookSize)}
     * @param labels N labels in {@code [0, classNames.size())}
     * @param tokenizerIdentity the tokenizer's {@link #identity}
     * @param tokenizerConfig the tokenizer's configuration, kept for reference
     * @throws IllegalArgumentException naming the first bad id or label
     */
    public TokenDataset(
            int[][] tokens,
            int[] labels,
            int codebookSize,
            List<String> classNames,
            String tokenizerIdentity,
            Map<String, String> tokenizerConfig) {
        if (tokens.length == 0 || tokens[0].length == 0) {
            throw new IllegalArgumentException("No tokens: expected at least one row of at least one id.");
        }
        if (labels.length != tokens.length) {
            throw new IllegalArgumentException(
                    "Invalid labels: " + labels.length + " labels for " + tokens.length + " token rows; expected one per row.");
        }
        this.length = tokens[0].length;
        this.ids = new int[tokens.length * length];
        for (int r = 0; r < tokens.length; r++) {
            if (tokens[r].length != length) {
                throw new IllegalArgumentException(
                        "Invalid token rows: row " + r + " has " + tokens[r].length + " ids but row 0 has " + length + ".");
            }
            System.arraycopy(tokens[r], 0, ids, r * length, length);
        }
        this.labels = labels.clone();
        this.codebookSize = codebookSize;
        this.classNames = List.copyOf(classNames);
        this.tokenizerIdentity = tokenizerIdentity;
        this.tokenizerConfig = Map.copyOf(tokenizerConfig);
        checkValues(null);
    }

    private TokenDataset(
            int[] ids, int[] labels, int length, int codebookSize, List<String> classNames, String identity,
            Map<String, String> tokenizerConfig, Path source) {
        this.ids = ids;
        this.labels = labels;
        this.length = length;
        this.codebookSize = codebookSize;
        this.classNames = List.copyOf(classNames);
        this.tokenizerIdentity = identity;
        this.tokenizerConfig = Map.copyOf(tokenizerConfig);
        checkValues(source);
    }

    private void checkValues(Path source) {
        String where = source == null ? "" : " in " + source;
        if (codebookSize < 2) {
            throw new IllegalArgumentException("Invalid codebook size " + codebookSize + where + ": expected at least 2.");
        }
        if (classNames.isEmpty() || classNames.size() > MAX_CLASSES) {
            throw new IllegalArgumentException(
                    "Invalid class count " + classNames.size() + where + ": expected 1 to " + MAX_CLASSES
                            + ". Generators are class-conditional, so the image set needs labels.");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= codebookSize) {
                throw new IllegalArgumentException(
                        "Invalid token id " + ids[i] + " at row " + i / length + ", position " + i % length + where
                                + ": expected 0 to " + (codebookSize - 1) + " (codebook size " + codebookSize + ").");
            }
        }
        for (int r = 0; r < labels.length; r++) {
            if (labels[r] < 0 || labels[r] >= classNames.size()) {
                throw new IllegalArgumentException(
                        "Invalid label " + labels[r] + " at row " + r + where + ": expected 0 to "
                                + (classNames.size() - 1) + " (the " + classNames.size() + " classes "
                                + String.join(", ", classNames.subList(0, Math.min(5, classNames.size())))
                                + (classNames.size() > 5 ? ", ..." : "") + ").");
            }
        }
    }

    // ---------------------------------------------------------------- tokenizing

    /**
     * Encodes every image of a labelled set.
     *
     * @param batchSize images per {@link NativeTok#encode} call
     * @param progress receives (images done, total) after each batch; {@link ProgressListener#NONE}
     *     for none
     * @throws IllegalArgumentException when the set has no labels or the batch size is below 1
     */
    public static TokenDataset tokenize(NativeTok tokenizer, ImageSet images, int batchSize, ProgressListener progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("Invalid batch size " + batchSize + ": expected at least 1.");
        }
        if (images.classNames().isEmpty()) {
            throw new IllegalArgumentException(
                    "The image set has no labels: the generators are class-conditional and need a labelled set,"
                            + " such as CIFAR-10 or an ImageFolder with class folders.");
        }
        if (progress == null) {
            progress = ProgressListener.NONE;
        }
        int count = images.size();
        int[][] tokens = new int[count][];
        int[] labels = new int[count];
        progress.onProgress(0, count);
        for (int from = 0; from < count; from += batchSize) {
            int to = Math.min(count, from + batchSize);
            int[] indices = IntStream.range(from, to).toArray();
            try (NDManager scope = tokenizer.manager().newSubManager()) {
                NDArray batch = ImageSets.toArray(scope, images, indices);
                int[][] encoded = tokenizer.encode(batch);
                System.arraycopy(encoded, 0, tokens, from, encoded.length);
            }
            for (int i = from; i < to; i++) {
                labels[i] = images.label(i);
            }
            progress.onProgress(to, count);
        }
        return new TokenDataset(
                tokens, labels, tokenizer.codebookSize(), images.classNames(), identity(tokenizer),
                tokenizer.config().toMap());
    }

    /**
     * Returns the tokenizer's identity: the hexadecimal SHA-256 of its configuration and parameter
     * values.
     */
    public static String identity(NativeTok tokenizer) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> entry : new TreeMap<>(tokenizer.config().toMap()).entrySet()) {
                digest.update((entry.getKey() + "=" + entry.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (Pair<String, Parameter> entry : tokenizer.block().getParameters()) {
                digest.update(entry.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update(entry.getValue().getArray().toByteArray());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM, which every Java 17 JVM provides", e);
        }
    }

    // ---------------------------------------------------------------- access

    /** Returns N, the number of rows. */
    public int size() {
        return labels.length;
    }

    /** Returns L, the ids per row. */
    public int length() {
        return length;
    }

    /** Returns K, the codebook size of the tokenizer. */
    public int codebookSize() {
        return codebookSize;
    }

    /** Returns the class names, indexed by label. */
    public List<String> classNames() {
        return classNames;
    }

    /** Returns C, the number of classes. */
    public int classCount() {
        return classNames.size();
    }

    /** Returns the tokenizer's identity, see {@link #identity}. */
    public String tokenizerIdentity() {
        return tokenizerIdentity;
    }

    /** Returns the tokenizer's configuration as saved with the ids. */
    public Map<String, String> tokenizerConfig() {
        return tokenizerConfig;
    }

    /** Returns a copy of row {@code row}. */
    public int[] tokens(int row) {
        return Arrays.copyOfRange(ids, row * length, (row + 1) * length);
    }

    /** Returns the id at {@code position} of row {@code row}. */
    public int id(int row, int position) {
        return ids[row * length + position];
    }

    /** Returns the label of row {@code row}. */
    public int label(int row) {
        return labels[row];
    }

    /** Returns copies of all rows as {@code int[N][L]}. */
    public int[][] tokens() {
        int[][] rows = new int[size()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = tokens(r);
        }
        return rows;
    }

    /** Returns rows {@code [from, to)} as a new data set with the same tokenizer and classes. */
    public TokenDataset subset(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException(
                    "Invalid row range [" + from + ", " + to + "): expected 0 <= from < to <= " + size() + ".");
        }
        return new TokenDataset(
                Arrays.copyOfRange(ids, from * length, to * length), Arrays.copyOfRange(labels, from, to), length,
                codebookSize, classNames, tokenizerIdentity, tokenizerConfig, null);
    }

    /** Returns the ids of the given rows as a {@code (B, L)} int64 array. */
    public NDArray tokenArray(NDManager manager, int[] rows) {
        long[] flat = new long[rows.length * length];
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < length; i++) {
                flat[r * length + i] = ids[rows[r] * length + i];
            }
        }
        return manager.create(flat, new ai.djl.ndarray.types.Shape(rows.length, length));
    }

    /** Returns the labels of the given rows as a {@code (B)} int64 array. */
    public NDArray labelArray(NDManager manager, int[] rows) {
        long[] values = new long[rows.length];
        for (int r = 0; r < rows.length; r++) {
            values[r] = labels[rows[r]];
        }
        return manager.create(values);
    }

    /**
     * Throws when this data set was not made by {@code tokenizer}.
     *
     * @param source the file it came from, for the message; null when unknown
     */
    public void checkTokenizer(NativeTok tokenizer, Path source) {
        String expected = identity(tokenizer);
        if (!expected.equals(tokenizerIdentity)) {
            throw new NativeTokException(
                    "Token data set " + (source == null ? "" : source + " ") + "was made by another tokenizer:"
                            + " its tokenizer identity is " + shortIdentity(tokenizerIdentity) + " but the given"
                            + " tokenizer's is " + shortIdentity(expected) + ". Tokenize the images again with"
                            + " `nativetok tokenize --tokenizer` and this tokenizer.");
        }
    }

    /** Returns the first 12 hexadecimal digits of an identity, for messages. */
    public static String shortIdentity(String identity) {
        return identity.length() > 12 ? identity.substring(0, 12) : identity;
    }

    // ---------------------------------------------------------------- files

    /** Writes the data set to {@code path} atomically; the folder is created if missing. */
    public void save(Path path) {
        Path folder = path.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            Files.createDirectories(folder);
            temporary = Files.createTempFile(folder, "." + path.getFileName() + ".", ".partial");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                CheckedOutputStream checked = new CheckedOutputStream(Channels.newOutputStream(channel), new CRC32());
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16));
                writeBody(out);
                out.flush();
                out.writeLong(checked.getChecksum().getValue());
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new NativeTokException(
                    "Failed to write token data set " + path + ": " + e.getMessage()
                            + ". Check that the folder is writable and the disk has space.", e);
        }
    }

    private void writeBody(DataOutputStream out) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("rows", size());
        header.put("length", length);
        header.put("codebook-size", codebookSize);
        header.put("id-bytes", idBytes(codebookSize));
        header.put("class-names", classNames);
        header.put("tokenizer-identity", tokenizerIdentity);
        header.put("tokenizer-config", new TreeMap<>(tokenizerConfig));
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(json.length);
        out.write(json);
        boolean wide = idBytes(codebookSize) == 4;
        for (int id : ids) {
            if (wide) {
                out.writeInt(id);
            } else {
                out.writeShort(id);
            }
        }
        for (int label : labels) {
            out.writeShort(label);
        }
    }

    private static int idBytes(int codebookSize) {
        return codebookSize <= 65_536 ? 2 : 4;
    }

    /**
     * Reads a data set written by {@link #save}.
     *
     * @throws NativeTokException when the file is missing, not a token file, of a newer format,
     *     truncated or corrupted (CRC mismatch), or contains ids or labels outside their ranges
     */
    public static TokenDataset load(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new NativeTokException(
                    "Token data set not found: " + path.toAbsolutePath() + ". Create it with `nativetok tokenize`.");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new NativeTokException("Failed to read token data set " + path + ": " + e.getMessage() + ".", e);
        }
        if (bytes.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new NativeTokException(
                    "Not a token data set: " + path + " does not start with the token file header. Pass a file"
                            + " written by `nativetok tokenize`.");
        }
        int minimum = MAGIC.length + 8 + 8;
        if (bytes.length < minimum) {
            throw corrupted(path, "the file ends early (truncated)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        long stored = buffer.getLong(bytes.length - 8);
        if (crc.getValue() != stored) {
            throw corrupted(path, "its CRC-32 is " + Long.toHexString(crc.getValue()) + " but the file records "
                    + Long.toHexString(stored) + " (the file was changed or truncated)");
        }

        buffer.position(MAGIC.length);
        int version = buffer.getInt();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new NativeTokException(
                    "Unsupported token file format version " + version + " in " + path + ": this version reads 1 to "
                            + FORMAT_VERSION + ". Tokenize the images again with this version.");
        }
        int headerLength = buffer.getInt();
        if (headerLength < 2 || headerLength > bytes.length - minimum) {
            throw corrupted(path, "its header length " + headerLength + " does not fit in the file");
        }
        Header header = Header.parse(new String(bytes, buffer.position(), headerLength, StandardCharsets.UTF_8), path);
        buffer.position(buffer.position() + headerLength);
        long expectedSize = MAGIC.length + 8L + headerLength
                + (long) header.rows * header.length * header.idBytes + 2L * header.rows + 8;
        if (bytes.length != expectedSize) {
            throw corrupted(path, "it has " + bytes.length + " bytes but its header describes " + expectedSize);
        }
        int[] ids = new int[header.rows * header.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = header.idBytes == 4 ? buffer.getInt() : Short.toUnsignedInt(buffer.getShort());
        }
        int[] labels = new int[header.rows];
        for (int r = 0; r < labels.length; r++) {
            labels[r] = buffer.getShort();
        }
        try {
            return new TokenDataset(ids, labels, header.length, header.codebookSize, header.classNames,
                    header.identity, header.config, path);
        } catch (IllegalArgumentException e) {
            throw new NativeTokException(e.getMessage() + " Tokenize the images again.", e);
        }
    }

    /** Reads a data set and checks that {@code tokenizer} made it. */
    public static TokenDataset load(Path path, NativeTok tokenizer) {
        TokenDataset dataset = load(path);
        dataset.checkTokenizer(tokenizer, path);
        return dataset;
    }

    private static NativeTokException corrupted(Path path, String reason) {
        return new NativeTokException(
                "Token data set " + path + " is corrupted: " + reason + ". Tokenize the images again with"
                        + " `nativetok tokenize`.");
    }

    private record Header(
            int rows, int length, int codebookSize, int idBytes, List<String> classNames, String identity,
            Map<String, String> config) {

        static Header parse(String json, Path path) {
            try {
                Map<String, Object> map = GSON.fromJson(json, HEADER_TYPE);
                int rows = number(map, "rows");
                int length = number(map, "length");
                int idBytes = number(map, "id-bytes");
                if (rows < 1 || length < 1 || (idBytes != 2 && idBytes != 4)) {
                    throw new IllegalArgumentException(
                            "rows " + rows + ", length " + length + " and id-bytes " + idBytes
                                    + " are outside their ranges (at least 1, at least 1, 2 or 4)");
                }
                List<String> names = new ArrayList<>();
                for (Object name : (List<?>) map.get("class-names")) {
                    names.add(String.valueOf(name));
                }
                Map<String, String> config = new LinkedHashMap<>();
                Object saved = map.get("tokenizer-config");
                if (saved instanceof Map<?, ?> entries) {
                    entries.forEach((key, value) -> config.put(String.valueOf(key), String.valueOf(value)));
                }
                return new Header(rows, length, number(map, "codebook-size"), idBytes, names,
                        String.valueOf(map.get("tokenizer-identity")), config);
            } catch (RuntimeException e) {
                throw corrupted(path, "its header cannot be read (" + e.getMessage() + ")");
            }
        }

        private static int number(Map<String, Object> map, String key) {
            Object value = map.get(key);
            if (!(value instanceof Number number)) {
                throw new IllegalArgumentException("missing number '" + key + "'");
            }
            return number.intValue();
        }
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // The partial file is hidden and named *.partial; a later run can remove it.
            }
        }
    }
}
