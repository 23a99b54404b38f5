package io.nativetok.tokenizer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.nativetok.util.NativeTokException;
import java.util.Locale;

/** Parses device names and checks that a requested device is usable. */
public final class Devices {

    private Devices() {}

    /**
     * Parses {@code cpu}, {@code gpu} (the first GPU) or {@code gpu:N}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Device parse(String name) {
        String value = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        if (value.equals("gpu")) {
            return Device.gpu();
        }
        if (value.startsWith("gpu:")) {
            try {
                return Device.gpu(Integer.parseInt(value.substring(4)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid device '" + name + "': expected cpu, gpu or gpu:N with N a GPU index.", e);
            }
        }
        throw new IllegalArgumentException(
                "Invalid device '" + name + "': expected cpu, gpu or gpu:N with N a GPU index.");
    }

    /**
     * Throws when {@code device} is a GPU that the engine cannot use.
     *
     * @throws NativeTokException naming the device, the GPUs found and how to get CUDA support
     */
    public static void check(Device device) {
        if (!device.isGpu()) {
            return;
        }
        int available = Engine.getInstance().getGpuCount();
        if (device.getDeviceId() >= available) {
            throw new NativeTokException(
                    "Requested device " + device + " but the PyTorch engine finds " + available
                            + " usable GPU(s). This build ships DJL's CPU libtorch; see docs/gpu.md"
                            + " for running with CUDA, or pass --device cpu.");
        }
    }
}
