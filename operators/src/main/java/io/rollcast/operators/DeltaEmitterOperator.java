package io.rollcast.operators;

import io.rollcast.model.WindowDelta;
import io.rollcast.model.WindowRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Runs {@link DeltaEmitter} with its {@code last-emitted} state behind a write-back heap cache
 * ({@link StateCache}, {@link WriteBackOperator}). Savepoints move freely between this and the plain
 * {@code KeyedProcessOperator}.
 */
public final class DeltaEmitterOperator extends WriteBackOperator<WindowRow, WindowDelta> {
    private static final long serialVersionUID = 1L;

    /** The delta type, for {@code DataStream#transform}. */
    public static final TypeInformation<WindowDelta> DELTAS = TypeInformation.of(WindowDelta.class);

    private final DeltaEmitter emitter;

    /** Heap bytes per cached {@code last-emitted} entry, three specs (bin/bench footprint, 2026-12-03). */
    static final int BYTES_PER_ENTRY = 650;

    /** @param maxCachedEntries the write-back bound, 0 for write-through, or {@link #AUTO} */
    public DeltaEmitterOperator(DeltaEmitter emitter, int maxCachedEntries) {
        super(emitter, maxCachedEntries, BYTES_PER_ENTRY);
        this.emitter = emitter;
    }

    @Override
    StateCache cache() {
        return emitter.stateCache();
    }
}
