package io.rollcast.operators;

import io.rollcast.model.Event;
import io.rollcast.model.WindowRow;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs {@link WindowRollups} with its pane state behind a write-back heap cache ({@link PaneStore}):
 * pane changes stay in the heap and reach the state backend before every checkpoint barrier, or
 * when more than {@code maxCachedPanes} panes are cached. Only an operator can do this: writing a
 * key's state needs that key's context, which a process function cannot switch.
 *
 * <p>State, names and uid are those of the plain {@code KeyedProcessOperator}: savepoints of either
 * restore into the other.
 */
public final class WindowRollupsOperator extends KeyedProcessOperator<String, Event, WindowRow> {
    private static final long serialVersionUID = 1L;

    /** The row type, for {@code DataStream#transform}. */
    public static final TypeInformation<WindowRow> ROWS = TypeInformation.of(WindowRow.class);

    private final WindowRollups rollups;
    private final int maxCachedPanes;

    public WindowRollupsOperator(WindowRollups rollups, int maxCachedPanes) {
        super(rollups);
        if (maxCachedPanes <= 0) throw new IllegalArgumentException("maxCachedPanes must be positive");
        this.rollups = rollups;
        this.maxCachedPanes = maxCachedPanes;
    }

    @Override
    public void open() throws Exception {
        super.open();
        rollups.enableWriteBack(this::getCurrentKey);
    }

    @Override
    public void processElement(StreamRecord<Event> element) throws Exception {
        super.processElement(element);
        if (rollups.cachedPanes() > maxCachedPanes) flush(true);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onEventTime(timer);
        if (rollups.cachedPanes() > maxCachedPanes) flush(true);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        super.onProcessingTime(timer);
        if (rollups.cachedPanes() > maxCachedPanes) flush(true);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush(false);
    }

    @Override
    public void finish() throws Exception {
        super.finish();
        flush(false);
    }

    private void flush(boolean evict) throws Exception {
        Object key = getCurrentKey();
        rollups.flushPanes(this::setCurrentKey, evict);
        if (key != null) setCurrentKey(key);
    }
}
