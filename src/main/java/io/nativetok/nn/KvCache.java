package io.nativetok.nn;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of every attention layer for the positions processed so far, so that
 * autoregressive decoding feeds one new position per step instead of the whole prefix.
 *
 * <p>Each layer's keys and values are {@code (B, H, T, E)}: B batch, H heads, T cached positions,
 * E per-head width. {@link #append} concatenates new positions and closes the arrays it replaces;
 * create the cache and run the decoding loop inside one sub-manager and close it afterwards.
 */
public final class KvCache {

    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    /** Creates an empty cache for {@code layers} attention layers. */
    public KvCache(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /**
     * Appends new keys and values {@code (B, H, n, E)} to a layer's cache.
     *
     * @return the layer's keys and values after the append, {@code (B, H, T + n, E)}
     */
    NDArray[] append(int layer, NDArray key, NDArray value) {
        if (keys[layer] != null) {
            NDArray oldKey = keys[layer];
            NDArray oldValue = values[layer];
            key = oldKey.concat(key, 2);
            value = oldValue.concat(value, 2);
            oldKey.close();
            oldValue.close();
        }
        keys[layer] = key;
        values[layer] = value;
        return new NDArray[] {key, value};
    }

    /** Returns the number of positions cached in layer {@code layer}. */
    long cached(int layer) {
        return keys[layer] == null ? 0 : keys[layer].getShape().get(2);
    }

    /** Returns T, the number of positions every layer contains after the last completed step. */
    public int length() {
        return length;
    }

    /** Records that every layer now contains {@code length} positions. Call it after a step through all layers. */
    public void setLength(int length) {
        this.length = length;
    }

    /** Returns the number of layers. */
    public int layers() {
        return keys.length;
    }
}
