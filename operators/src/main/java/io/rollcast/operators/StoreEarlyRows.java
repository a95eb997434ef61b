package io.rollcast.operators;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Thins the early rows on their way to the stores: per window only the latest early row is passed
 * on, at most once per {@code interval}; final and late rows pass at once (and replace a held early
 * row of their window). Redis keeps every early row (the live path); the stores, which dashboards
 * read through the fan-out's snapshot (store merged with Redis' recovery streams by version), get
 * open windows at most {@code interval} stale.
 *
 * <p>Why: early rows are keys × specs per tick whatever the event rate (1 000 keys × 3 specs every
 * 100 ms is 30 000 rows/s), and writing each of them to Postgres and ClickHouse was the largest
 * fixed cost of the live job in {@code bin/bench pipeline}.
 *
 * <p>No state: held rows are emitted before every checkpoint barrier ({@link #prepareSnapshotPreBarrier})
 * and at the end of input, so a checkpoint never covers a row the stores have not been sent, exactly
 * as without this operator. Held rows are at most one per open window of the subtask.
 */
public final class StoreEarlyRows extends AbstractStreamOperator<WindowRow>
        implements OneInputStreamOperator<WindowRow, WindowRow> {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private transient Map<String, WindowRow> held;
    private transient ScheduledFuture<?> timer;
    private transient Counter thinned;

    /** @param interval how often held early rows are sent; must be positive */
    public StoreEarlyRows(Duration interval) {
        if (interval.isZero() || interval.isNegative()) throw new IllegalArgumentException("interval must be positive");
        this.intervalMs = interval.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        held = new HashMap<>();
        thinned = getMetricGroup().counter("earlyRowsThinned");
        timer = getProcessingTimeService().scheduleWithFixedDelay(t -> flush(), intervalMs, intervalMs);
    }

    @Override
    public void processElement(StreamRecord<WindowRow> element) {
        WindowRow r = element.getValue();
        String key = r.windowKey();
        if (r.kind() == Kind.EARLY) {
            WindowRow before = held.put(key, r);
            if (before != null) {
                thinned.inc();
                if (before.version() > r.version()) held.put(key, before); // never step back
            }
            return;
        }
        WindowRow early = held.remove(key);
        if (early != null && early.version() > r.version()) output.collect(new StreamRecord<>(early));
        else if (early != null) thinned.inc();
        output.collect(element);
    }

    private void flush() {
        if (held.isEmpty()) return;
        List<WindowRow> rows = new ArrayList<>(held.values());
        held.clear();
        for (WindowRow r : rows) output.collect(new StreamRecord<>(r));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (timer != null) timer.cancel(false);
        super.close();
    }

    /** Rows held now; for tests. */
    int heldRows() {
        return held.size();
    }
}
