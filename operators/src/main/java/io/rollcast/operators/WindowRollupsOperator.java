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

    public WindowRollupsOperator(WindowRollups rollups, int maxCachedEntries) {
        super(rollups, maxCachedEntries);
        this.rollups = rollups;
    }

    @Override
    StateCache cache() {
        return rollups.stateCache();
    }
}
