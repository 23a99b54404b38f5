package io.nativetok.tokenizer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.nativetok.util.NativeTokException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint file format: a model's configuration, metadata, parameters and any extra state
 * (optimizer moments), followed by a CRC-32 of all preceding bytes.
 *
 * <p>Layout: the magic line {@code NATIVETOK-CHECKPOINT}, the format version, the kind of model, the
 * configuration and the metadata as JSON maps of strings, the block's parameters in DJL's encoding,
 * the number of extra arrays and each as a name and an encoded array, then the CRC.
 *
 * <p>Writing goes to a hidden temporary file {@code .<name>.<random>.partial} in the target folder,
 * which is flushed to disk and then renamed over the target, and the folder is then synced so that
 * the rename survives a power loss. A crash or a kill therefore leaves either the old complete
 * file or the new complete file under the target name, and at most a stale {@code .partial} file
 * beside it, which {@link #partialFiles} lists for clean-up.
 *
 * <p>Reading verifies the CRC over the whole file before any array is decoded, so a truncated or
 * damaged file is rejected without touching the model.
 */
public final class CheckpointFile {

    /** The current format version; files with a higher version are rejected. */
    public static final int FORMAT_VERSION = 1;

    private static final byte[] MAGIC = "NATIVETOK-CHECKPOINT\n".getBytes(StandardCharsets.US_ASCII);
    private static final Gson GSON = new Gson();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Type MAP_TYPE = new TypeToken<LinkedHashMap<String, String>>() {}.getType();
    private static final String PARTIAL_SUFFIX = ".partial";
    private static final int COPY_BUFFER_BYTES = 1 << 16;
    /** The header of an array in the encoding of DJL 0.36. CheckpointFileTest compares the bytes with DJL's. */
    private static final String NDARRAY_MAGIC = "NDAR";
    private static final int NDARRAY_VERSION = 3;
    private static final Logger logger = LoggerFactory.getLogger(CheckpointFile.class);

    /**
     * Wraps the stream that {@link #write} sends the file's bytes through. Tests replace it to
     * simulate a disk that fills up during a write. Otherwise it is the identity.
     */
    static volatile UnaryOperator<OutputStream> outputFilter = UnaryOperator.identity();

    private CheckpointFile() {}

    /** The parts of a checkpoint read before its arrays. */
    public record Header(String kind, Map<String, String> config, Map<String, String> meta) {}

    /**
     * Writes a checkpoint atomically.
     *
     * @param path the target file; its folder is created if missing
     * @param kind what the file holds, e.g. {@code tokenizer}
     * @param config the model configuration in flat form
     * @param meta free-form metadata such as the training step
     * @param block the model whose parameters are saved
     * @param extra named arrays saved after the parameters, e.g. optimizer moments
     */
    public static void write(
            Path path,
            String kind,
            Map<String, String> config,
            Map<String, String> meta,
            Block block,
            Map<String, NDArray> extra) {
        Path folder = path.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            Files.createDirectories(folder);
            // Files.createTempFile would make the file readable by its owner only. A file created
            // here gets the permissions of the process's umask, as the target would.
            temporary = folder.resolve(
                    "." + path.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + PARTIAL_SUFFIX);
            try (FileChannel channel =
                    FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream file = outputFilter.apply(java.nio.channels.Channels.newOutputStream(channel));
                CheckedOutputStream checked = new CheckedOutputStream(file, new CRC32());
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16));
                writeBody(out, kind, config, meta, block, extra, new byte[COPY_BUFFER_BYTES]);
                out.flush();
                long crc = checked.getChecksum().getValue();
                out.writeLong(crc);
                out.flush();
                channel.force(true);
            }
            moveIntoPlace(temporary, path);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new NativeTokException(
                    "Failed to write checkpoint " + path + ": " + e.getMessage()
                            + ". Check that the folder is writable and the disk has space; the"
                            + " previous checkpoint, if any, is unchanged.",
                    e);
        } catch (RuntimeException e) {
            deleteQuietly(temporary);
            throw e;
        }
    }

    private static void writeBody(
            DataOutputStream out,
            String kind,
            Map<String, String> config,
            Map<String, String> meta,
            Block block,
            Map<String, NDArray> extra,
            byte[] buffer)
            throws IOException {
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeUTF(kind);
        writeString(out, GSON.toJson(config));
        writeString(out, GSON.toJson(meta));
        writeParameters(out, block, buffer);
        out.writeInt(extra.size());
        for (Map.Entry<String, NDArray> entry : extra.entrySet()) {
            writeString(out, entry.getKey());
            writeArray(out, entry.getValue(), buffer);
        }
    }

    /**
     * Writes {@code array} in the bytes of DJL's {@link NDArray#encode()}, streaming its data
     * through {@code buffer}. {@code encode()} first copies the data into Java byte arrays, which
     * came to about 230 MB of heap allocation per CIFAR10-preset training checkpoint.
     */
    static void writeArray(DataOutputStream out, NDArray array, byte[] buffer) throws IOException {
        if (array.getDataType() == DataType.STRING) {
            out.write(array.encode());
            return;
        }
        out.writeUTF(NDARRAY_MAGIC);
        out.writeInt(NDARRAY_VERSION);
        String name = array.getName();
        if (name == null) {
            out.write(0);
        } else {
            out.write(1);
            out.writeUTF(name);
        }
        out.writeUTF(array.getSparseFormat().name());
        out.writeUTF(array.getDataType().name());
        out.write(array.getShape().getEncoded());
        // A direct view of the array's memory where the engine allows it; toByteBuffer() would copy.
        ByteBuffer data = array.toByteBuffer(true);
        out.write(data.order() == ByteOrder.BIG_ENDIAN ? '>' : '<');
        out.writeInt(data.remaining());
        while (data.hasRemaining()) {
            int length = Math.min(buffer.length, data.remaining());
            data.get(buffer, 0, length);
            out.write(buffer, 0, length);
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncFolder(target.toAbsolutePath().getParent());
    }

    /**
     * Flushes a folder's entries to disk, so that a rename into it survives a power loss. Linux
     * allows this through a read-only channel on the folder. Where the platform does not, the
     * rename is still atomic but may be lost with the power.
     */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            logger.debug("Failed to sync folder {} after a checkpoint rename: {}", folder, e.toString());
        }
    }

    /**
     * Returns the temporary files that {@link #write} leaves in {@code folder} when the process
     * dies mid-write, sorted by name. Such a file is never a complete checkpoint. Deleting it is
     * safe unless another process is writing into the same folder at this moment.
     */
    public static List<Path> partialFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(CheckpointFile::isPartial).sorted().toList();
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to list folder " + folder + ": " + e.getMessage()
                            + ". Check that the folder is readable.",
                    e);
        }
    }

    /** Returns true for a temporary file name that {@link #write} creates. */
    public static boolean isPartial(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(PARTIAL_SUFFIX);
    }

    /** Reads the kind, configuration and metadata of a checkpoint without loading its arrays. */
    public static Header readHeader(Path path) {
        try (DataInputStream in = open(path, new CRC32())) {
            return readHeader(path, in);
        } catch (IOException e) {
            throw unreadable(path, e);
        }
    }

    /**
     * Loads a checkpoint's parameters into {@code block} and returns its extra arrays, created in
     * {@code manager}. The header and the CRC of the whole file are checked before any parameter
     * is changed, so a damaged file leaves the block as it was. The CRC is checked once more while
     * reading; a mismatch then means the file changed during the read, and the caller must discard
     * the block.
     */
    public static Map<String, NDArray> readInto(Path path, Block block, NDManager manager) {
        readHeader(path);
        verifyChecksum(path);
        CRC32 crc = new CRC32();
        try (DataInputStream in = open(path, crc)) {
            readHeader(path, in);
            byte[] buffer = new byte[COPY_BUFFER_BYTES];
            readParameters(path, in, block, manager, buffer);
            int count = in.readInt();
            Map<String, NDArray> extra = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = readString(in);
                extra.put(name, readArray(in, manager, buffer));
            }
            long computed = crc.getValue();
            long stored = in.readLong();
            if (computed != stored) {
                extra.values().forEach(NDArray::close);
                throw corrupted(path, computed, stored);
            }
            return extra;
        } catch (IOException e) {
            throw unreadable(path, e);
        }
    }

    /** Compares the CRC-32 of all bytes but the last eight with the value those eight record. */
    private static void verifyChecksum(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            long remaining = Files.size(path) - Long.BYTES;
            if (remaining < MAGIC.length) {
                throw new EOFException();
            }
            CRC32 crc = new CRC32();
            byte[] buffer = new byte[1 << 16];
            while (remaining > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (read < 0) {
                    throw new EOFException();
                }
                crc.update(buffer, 0, read);
                remaining -= read;
            }
            long stored = new DataInputStream(in).readLong();
            if (crc.getValue() != stored) {
                throw corrupted(path, crc.getValue(), stored);
            }
        } catch (IOException e) {
            throw unreadable(path, e);
        }
    }

    private static NativeTokException corrupted(Path path, long computed, long stored) {
        return new NativeTokException(
                "Checkpoint " + path + " is corrupted or truncated: its CRC-32 is "
                        + Long.toHexString(computed) + " but the file records "
                        + Long.toHexString(stored)
                        + ". Use an earlier checkpoint from the same folder.");
    }

    /** Writes every parameter as its name followed by its encoded array. */
    private static void writeParameters(DataOutputStream out, Block block, byte[] buffer) throws IOException {
        ai.djl.util.PairList<String, ai.djl.nn.Parameter> parameters = block.getParameters();
        out.writeInt(parameters.size());
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> entry : parameters) {
            writeString(out, entry.getKey());
            writeArray(out, entry.getValue().getArray(), buffer);
        }
    }

    /**
     * Reads parameters written by {@link #writeParameters} into the block's existing arrays, in
     * place. DJL's own {@code loadParameters} would replace each array by one whose storage is a
     * Java buffer, which changes results in the last bit and slows training down; copying into the
     * arrays libtorch allocated avoids both.
     */
    private static void readParameters(Path path, DataInputStream in, Block block, NDManager manager, byte[] buffer)
            throws IOException {
        ai.djl.util.PairList<String, ai.djl.nn.Parameter> parameters = block.getParameters();
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new NativeTokException(
                    "Checkpoint " + path + " contains " + count + " parameters but the model has "
                            + parameters.size() + ". Build the model with the checkpoint's configuration.");
        }
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> entry : parameters) {
            String name = readString(in);
            if (!name.equals(entry.getKey())) {
                throw new NativeTokException(
                        "Checkpoint " + path + " has parameter " + name + " where the model has "
                                + entry.getKey() + ". Build the model with the checkpoint's configuration.");
            }
            NDArray target = entry.getValue().getArray();
            try (NDArray decoded = readArray(in, manager, buffer)) {
                if (!decoded.getShape().equals(target.getShape())) {
                    throw new NativeTokException(
                            "Checkpoint " + path + " has shape " + decoded.getShape() + " for " + name
                                    + " but the model expects " + target.getShape()
                                    + ". Build the model with the checkpoint's configuration.");
                }
                io.nativetok.nn.Layers.assign(target, decoded);
            }
        }
    }

    /**
     * Reads one array written by {@link #writeArray} into a new array in memory that libtorch
     * allocates, streaming its data through {@code buffer}. {@link NDManager#decode} would copy each
     * array through a Java chunk of up to 1 MB and a direct buffer first, about 700 MB of heap
     * allocation per CIFAR10-preset training checkpoint. On other devices than the CPU it still
     * decodes that way, because the new array's memory is not visible from Java there.
     */
    static NDArray readArray(DataInputStream in, NDManager manager, byte[] buffer) throws IOException {
        if (!Device.cpu().equals(manager.getDevice())) {
            try (NDArray decoded = manager.decode(in)) {
                return ownedCopy(decoded, manager);
            }
        }
        String magic = in.readUTF();
        int version = in.readInt();
        if (!NDARRAY_MAGIC.equals(magic) || version != NDARRAY_VERSION) {
            throw new IOException("an array starts with '" + magic + "' version " + version + ", not the '"
                    + NDARRAY_MAGIC + "' version " + NDARRAY_VERSION + " encoding of DJL 0.36");
        }
        boolean named = in.readByte() == 1;
        if (named) {
            in.readUTF();
        }
        in.readUTF(); // the sparse format, which DJL's decoder ignores as well
        DataType dataType = DataType.valueOf(in.readUTF());
        Shape shape = Shape.decode(in);
        byte order = in.readByte();
        int length = in.readInt();
        byte nativeOrder = (byte) (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? '>' : '<');
        long expected = shape.size() * dataType.getNumOfBytes();
        if (order != nativeOrder || length != expected) {
            throw new IOException("an array of " + dataType + " " + shape + " has " + length + " bytes in byte order '"
                    + (char) order + "', expected " + expected + " bytes in '" + (char) nativeOrder + "'");
        }

        NDArray array = manager.zeros(shape, dataType);
        if (length == 0) {
            return array;
        }
        ByteBuffer memory = array.toByteBuffer(true);
        if (!memory.isDirect() || memory.remaining() != length) {
            array.close();
            throw new IllegalStateException("libtorch returned no direct view of a new " + dataType + " array");
        }
        try {
            while (memory.hasRemaining()) {
                int chunk = Math.min(buffer.length, memory.remaining());
                in.readFully(buffer, 0, chunk);
                memory.put(buffer, 0, chunk);
            }
        } catch (IOException e) {
            array.close();
            throw e;
        }
        return array;
    }

    /** Returns a copy of {@code array} in memory that libtorch allocated. */
    private static NDArray ownedCopy(NDArray array, NDManager manager) {
        return manager.zeros(array.getShape(), array.getDataType()).addi(array);
    }

    private static DataInputStream open(Path path, CRC32 crc) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NativeTokException(
                    "Checkpoint not found: " + path.toAbsolutePath()
                            + (Files.isDirectory(path) ? " is a folder" : "")
                            + ". Pass the path of a .ckpt file written by save() or by"
                            + " `nativetok train`.");
        }
        if (Files.size(path) == 0) {
            throw new NativeTokException(
                    "Checkpoint " + path + " is empty (0 bytes). Pass a file written by save() or by"
                            + " `nativetok train`, or use an earlier checkpoint from the same folder.");
        }
        InputStream file = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        // The checksum sits above the buffer so that it covers exactly the bytes consumed, not
        // the buffer's read-ahead (which would include the stored CRC itself).
        return new DataInputStream(new CheckedInputStream(file, crc));
    }

    private static Header readHeader(Path path, DataInputStream in) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        boolean magicPrefix = Arrays.equals(magic, Arrays.copyOf(MAGIC, magic.length));
        if (magic.length < MAGIC.length && magicPrefix) {
            throw new EOFException();
        }
        if (!magicPrefix) {
            throw new NativeTokException(
                    "Not a NativeTok checkpoint: " + path
                            + " does not start with the checkpoint header. Pass a file written by"
                            + " save() or by `nativetok train`.");
        }
        int version = in.readInt();
        if (version > FORMAT_VERSION || version < 1) {
            throw new NativeTokException(
                    "Unsupported checkpoint format version " + version + " in " + path
                            + ": this version of NativeTok reads versions 1 to " + FORMAT_VERSION
                            + ". Use the NativeTok version that wrote the file, or a newer one.");
        }
        String kind = in.readUTF();
        try {
            Map<String, String> config = GSON.fromJson(readString(in), MAP_TYPE);
            Map<String, String> meta = GSON.fromJson(readString(in), MAP_TYPE);
            if (config == null || meta == null) {
                throw new JsonParseException("empty configuration or metadata");
            }
            return new Header(kind, config, meta);
        } catch (JsonParseException e) {
            throw new NativeTokException(
                    "Checkpoint " + path + " is corrupted: its configuration or metadata is not valid"
                            + " JSON (" + e.getMessage() + "). Use an earlier checkpoint from the"
                            + " same folder.",
                    e);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > (64 << 20)) {
            throw new IOException("invalid string length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static NativeTokException unreadable(Path path, Exception e) {
        String reason = e instanceof EOFException ? "the file ends early (truncated)" : e.getMessage();
        return new NativeTokException(
                "Failed to read checkpoint " + path + ": " + reason
                        + ". Use an earlier checkpoint from the same folder.",
                e);
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // The file is hidden and named *.partial, so no reader takes it for a checkpoint.
                logger.warn("Failed to delete partial checkpoint {}: {}. Delete it by hand.", path, e.toString());
            }
        }
    }
}
