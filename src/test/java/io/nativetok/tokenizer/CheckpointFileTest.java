package io.nativetok.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.nativetok.util.NativeTokException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {

    @TempDir Path folder;

    private static Linear smallBlock(NDManager manager) {
        Linear block = Linear.builder().setUnits(3).build();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        return block;
    }

    @Test
    void smallFileWithExtrasReadsBack() {
        Path file = folder.resolve("small.ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            Linear saved = smallBlock(manager);
            NDArray extra = manager.create(new float[] {1, 2, 3});
            CheckpointFile.write(file, "test", Map.of("a", "1"), Map.of("step", "4"), saved, Map.of("moment", extra));

            Linear loaded = smallBlock(manager);
            Map<String, NDArray> extras = CheckpointFile.readInto(file, loaded, manager);
            assertArrayEquals(new float[] {1, 2, 3}, extras.get("moment").toFloatArray());
            assertArrayEquals(saved.getParameters().get(0).getValue().getArray().toFloatArray(),
                    loaded.getParameters().get(0).getValue().getArray().toFloatArray());
            assertEquals("4", CheckpointFile.readHeader(file).meta().get("step"));
        }
    }

    /**
     * The streaming writer must produce exactly the bytes of DJL's own encoding, because readers
     * of older checkpoints decode that format. Data longer than the copy buffer checks the chunks.
     */
    @Test
    void streamedArraysMatchDjlEncoding() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray named = manager.arange(0f, 70_000f).reshape(7, 10_000);
            named.setName("moment");
            List<NDArray> arrays = List.of(
                    named,
                    manager.create(new long[] {3, -1, 1L << 40}),
                    manager.create(2.5f),
                    manager.create(new Shape(0, 3)),
                    manager.create(new int[] {1, 2, 3, 4}).reshape(2, 2));
            for (NDArray array : arrays) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    CheckpointFile.writeArray(out, array, new byte[4096]);
                }
                assertArrayEquals(array.encode(), bytes.toByteArray(), "encoding of " + array.getShape());
            }
        }
    }

    @Test
    void streamedArraysReadBackExactly() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> arrays = List.of(
                    manager.randomNormal(new Shape(7, 10_000)),
                    manager.create(new long[] {3, -1, 1L << 40}),
                    manager.create(2.5f),
                    manager.create(new Shape(0, 3)),
                    manager.create(new int[] {1, 2, 3, 4}).reshape(2, 2));
            for (NDArray array : arrays) {
                byte[] encoded = array.encode();
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
                        NDArray read = CheckpointFile.readArray(in, manager, new byte[4096])) {
                    assertEquals(array.getShape(), read.getShape());
                    assertEquals(array.getDataType(), read.getDataType());
                    assertArrayEquals(array.toByteArray(), read.toByteArray(), "data of " + array.getShape());
                    assertEquals(-1, in.read(), "bytes left after " + array.getShape());
                }
            }
        }
    }

    /**
     * Streaming keeps a large array's data out of the Java heap: DJL's encode() and decode() each
     * allocate at least the array's size there, 40 MB here.
     */
    @Test
    void streamedArraysStayOutOfHeap() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        Path file = folder.resolve("large.bin");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray large = manager.randomNormal(new Shape(10_000_000));
            byte[] buffer = new byte[1 << 16];

            long before = threads.getThreadAllocatedBytes(thread);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
                CheckpointFile.writeArray(out, large, buffer);
            }
            long written = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(written < 4_000_000, "writing 40 MB allocated " + written + " bytes of heap");

            before = threads.getThreadAllocatedBytes(thread);
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)));
                    NDArray read = CheckpointFile.readArray(in, manager, buffer)) {
                long allocated = threads.getThreadAllocatedBytes(thread) - before;
                assertTrue(allocated < 4_000_000, "reading 40 MB allocated " + allocated + " bytes of heap");
                assertTrue(large.contentEquals(read), "array read back differs");
            }
        }
    }

    @Test
    void flippedByteInSmallFileIsCorrupted() throws Exception {
        Path file = folder.resolve("small.ckpt");
        try (NDManager manager = NDManager.newBaseManager()) {
            CheckpointFile.write(file, "test", Map.of(), Map.of(), smallBlock(manager),
                    Map.of("moment", manager.create(new float[] {1, 2, 3})));
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 12] ^= 0x10;
            Files.write(file, bytes);
            NativeTokException error = assertThrows(NativeTokException.class,
                    () -> CheckpointFile.readInto(file, smallBlock(manager), manager));
            assertTrue(error.getMessage().contains("corrupted"), error.getMessage());
        }
    }
}
