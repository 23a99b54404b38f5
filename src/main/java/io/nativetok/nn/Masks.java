package io.nativetok.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Additive attention masks: 0 where attention is allowed, {@link #BLOCKED} where it is not. */
public final class Masks {

    /** The logit offset of a blocked pair; large enough that its softmax weight underflows to 0. */
    public static final float BLOCKED = -1e9f;

    private Masks() {}

    /**
     * Returns the causal mask {@code (1, 1, n, past + n)} for n new positions that follow {@code
     * past} earlier ones: new position i (absolute {@code past + i}) may attend to positions 0 to
     * {@code past + i}.
     */
    public static NDArray causal(NDManager manager, long fresh, long past) {
        NDArray rows = manager.arange(past, past + fresh, 1, DataType.FLOAT32).reshape(fresh, 1);
        NDArray columns = manager.arange(0, past + fresh, 1, DataType.FLOAT32).reshape(1, past + fresh);
        NDArray blocked = columns.gt(rows).toType(DataType.FLOAT32, false);
        return blocked.mul(BLOCKED).reshape(1, 1, fresh, past + fresh);
    }
}
