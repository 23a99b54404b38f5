package io.nativetok.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.nativetok.util.NativeTokException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named tensors as a pair of files that plain Python can read: {@code NAME.json} and {@code
 * NAME.bin}.
 *
 * <p>The index is {@code {"format": "nativetok-tensors", "version": 1, "tensors": {key: {"dtype":
 * "float32" | "int64", "shape": [...], "offset": byte offset}}}}; the data file contains the tensors
 * one after another, row-major, little-endian. {@code bench/pytorch/nativetok_reference.py} reads
 * and writes the same format with {@code load_tensors} and {@code save_tensors}.
 */
public final class TensorFiles {

    /** The value of the index's {@code format} field. */
    public static final String FORMAT = "nativetok-tensors";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private TensorFiles() {}

    /**
     * A tensor held in Java arrays: exactly one of {@code floats} and {@code longs} is set.
     *
     * @param shape the dimensions
     * @param floats float32 values, row-major, or null
     * @param longs int64 values, row-major, or null
     */
    public record Tensor(long[] shape, float[] floats, long[] longs) {

        /** Creates a float32 tensor. */
        public static Tensor of(float[] values, long... shape) {
            return new Tensor(shape, values, null);
        }

        /** Creates an int64 tensor. */
        public static Tensor ofLongs(long[] values, long... shape) {
            return new Tensor(shape, null, values);
        }

        /** Copies an NDArray; float32 and int64 arrays are supported. */
        public static Tensor of(NDArray array) {
            long[] shape = array.getShape().getShape();
            if (array.getDataType() == DataType.INT64) {
                return ofLongs(array.toLongArray(), shape);
            }
            if (array.getDataType() == DataType.FLOAT32) {
                return of(array.toFloatArray(), shape);
            }
            throw new IllegalArgumentException(
                    "Unsupported data type " + array.getDataType()
                            + ": tensor files hold float32 or int64 arrays.");
        }

        /** Returns the number of values. */
        public int size() {
            return floats != null ? floats.length : longs.length;
        }

        /** Returns the shape as a DJL shape. */
        public Shape djlShape() {
            return new Shape(shape);
        }
    }

    /**
     * Writes {@code tensors} as {@code folder/NAME.json} and {@code folder/NAME.bin}.
     *
     * @param extra additional fields per tensor key, copied into its index entry (may be empty)
     */
    public static void write(
            Path folder, String name, Map<String, Tensor> tensors, Map<String, Map<String, String>> extra) {
        JsonObject entries = new JsonObject();
        long offset = 0;
        try {
            Files.createDirectories(folder);
            try (OutputStream out =
                    new BufferedOutputStream(Files.newOutputStream(folder.resolve(name + ".bin")))) {
                for (Map.Entry<String, Tensor> item : tensors.entrySet()) {
                    Tensor tensor = item.getValue();
                    byte[] bytes = encode(tensor);
                    out.write(bytes);
                    JsonObject entry = new JsonObject();
                    entry.addProperty("dtype", tensor.floats() != null ? "float32" : "int64");
                    entry.add("shape", GSON.toJsonTree(tensor.shape()));
                    entry.addProperty("offset", offset);
                    extra.getOrDefault(item.getKey(), Map.of()).forEach(entry::addProperty);
                    entries.add(item.getKey(), entry);
                    offset += bytes.length;
                }
            }
            JsonObject index = new JsonObject();
            index.addProperty("format", FORMAT);
            index.addProperty("version", 1);
            index.add("tensors", entries);
            Files.writeString(folder.resolve(name + ".json"), GSON.toJson(index), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NativeTokException(
                    "Failed to write tensor files " + folder.resolve(name) + ".{json,bin}: " + e.getMessage(), e);
        }
    }

    /** Writes {@code tensors} without extra index fields. */
    public static void write(Path folder, String name, Map<String, Tensor> tensors) {
        write(folder, name, tensors, Map.of());
    }

    /**
     * Reads {@code folder/NAME.json} and {@code folder/NAME.bin}.
     *
     * @return the tensors by key, in the index's order
     * @throws NativeTokException when a file is missing, the index is not a tensor index or the data
     *     file is too short
     */
    public static Map<String, Tensor> read(Path folder, String name) {
        Path indexFile = folder.resolve(name + ".json");
        Path dataFile = folder.resolve(name + ".bin");
        try {
            JsonObject index = GSON.fromJson(Files.readString(indexFile, StandardCharsets.UTF_8), JsonObject.class);
            if (index == null || !index.has("format") || !FORMAT.equals(index.get("format").getAsString())) {
                throw new NativeTokException(
                        "Invalid tensor index " + indexFile + ": expected \"format\": \"" + FORMAT + "\".");
            }
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(dataFile)).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, com.google.gson.JsonElement> item :
                    index.getAsJsonObject("tensors").entrySet()) {
                JsonObject entry = item.getValue().getAsJsonObject();
                long[] shape = GSON.fromJson(entry.get("shape"), long[].class);
                tensors.put(item.getKey(), decode(data, entry, shape, dataFile, item.getKey()));
            }
            return tensors;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new NativeTokException(
                    "Failed to read tensor files " + folder.resolve(name) + ".{json,bin}: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(Tensor tensor) {
        int itemBytes = tensor.floats() != null ? Float.BYTES : Long.BYTES;
        ByteBuffer buffer =
                ByteBuffer.allocate(Math.multiplyExact(tensor.size(), itemBytes))
                        .order(ByteOrder.LITTLE_ENDIAN);
        if (tensor.floats() != null) {
            buffer.asFloatBuffer().put(tensor.floats());
        } else {
            buffer.asLongBuffer().put(tensor.longs());
        }
        return buffer.array();
    }

    private static Tensor decode(
            ByteBuffer data, JsonObject entry, long[] shape, Path dataFile, String key) {
        long count = 1;
        for (long dimension : shape) {
            count *= dimension;
        }
        String dtype = entry.get("dtype").getAsString();
        int offset = Math.toIntExact(entry.get("offset").getAsLong());
        int itemBytes = dtype.equals("int64") ? Long.BYTES : Float.BYTES;
        if (offset + count * itemBytes > data.capacity()) {
            throw new NativeTokException(
                    "Tensor file " + dataFile + " is too short for " + key + " (offset " + offset
                            + ", " + count + " values of " + dtype + ").");
        }
        ByteBuffer slice = data.duplicate().position(offset).slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case "float32" -> {
                float[] values = new float[Math.toIntExact(count)];
                slice.asFloatBuffer().get(values);
                return Tensor.of(values, shape);
            }
            case "int64" -> {
                long[] values = new long[Math.toIntExact(count)];
                slice.asLongBuffer().get(values);
                return Tensor.ofLongs(values, shape);
            }
            default -> throw new NativeTokException(
                    "Unsupported dtype '" + dtype + "' for " + key + " in " + dataFile
                            + ": expected float32 or int64.");
        }
    }
}
