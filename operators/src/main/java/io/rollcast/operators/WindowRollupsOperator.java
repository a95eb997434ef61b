package io.rollcast.operators;

import io.rollcast.model.Event;
import io.rollcast.model.WindowRow;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Runs {@link WindowRollups} with its keyed state (panes and key metadata) behind a write-back heap
 * cache ({@link StateCache}, {@link WriteBackOperator}). Savepoints move freely between this and the
 * plain {@code KeyedProcessOperator}.
 */
public final class WindowRollupsOperator extends WriteBackOperator<Event, WindowRow> {
    private static final long serialVersionUID = 1L;

    /** The row type, for {@code DataStream#transform}. */
    public static final TypeInformation<WindowRow> ROWS = TypeInformation.of(WindowRow.class);

    private final WindowRollups rollups;

    /** Heap bytes per cached entry (bin/bench footprint, sparse keys, 2026-12-03): plain panes. */
    static final int BYTES_PER_ENTRY = 250;

    /** The same with quantile and distinct sketches (one value per pane; more values, larger sketches). */
    static final int BYTES_PER_ENTRY_WITH_SKETCHES = 370;

    /** @param maxCachedEntries the write-back bound, 0 for write-through, or {@link #AUTO} */
    public WindowRollupsOperator(WindowRollups rollups, int maxCachedEntries) {
        super(rollups, maxCachedEntries, rollups.sketches() ? BYTES_PER_ENTRY_WITH_SKETCHES : BYTES_PER_ENTRY);
        this.rollups = rollups;
    }

    @Override
    StateCache cache() {
        return rollups.stateCache();
    }
}
