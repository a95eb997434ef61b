package io.rollcast.operators;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Batches the closed rows (final and late) of each tenant for the cold path, keyed by tenant: a
 * tenant's rows are held in keyed state ({@value #ROWS_STATE}) and sent on together {@code interval}
 * after the first of them (a processing-time timer per tenant; {@value #FLUSH_STATE} holds its time),
 * and at the end of a bounded run. Early rows are dropped: the cold copy keeps closed windows.
 *
 * <p>Why: Flink's FileSink must roll a bulk-format (Parquet) file at every checkpoint, so without
 * this every checkpoint would write a file per tenant-day that had a row in it: with 10 s checkpoints
 * that is 8 640 files per tenant and day. Batched, a tenant gets one file per {@code interval} (and
 * the compaction merges a day's files into one). Each tenant's timer starts at its own first row, so
 * the flushes of many tenants spread over the interval instead of all landing in one checkpoint.
 * The held rows are checkpointed state, so nothing is lost or written twice across a failure.
 */
public final class ColdBatch extends AbstractStreamOperator<WindowRow>
        implements OneInputStreamOperator<WindowRow, WindowRow>, Triggerable<String, VoidNamespace>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Keyed state: the tenant's held rows. Part of the savepoint contract (uid {@code cold-batch}). */
    public static final String ROWS_STATE = "cold-rows";
    /** Keyed state: when the tenant's held rows are sent (processing time, epoch ms). */
    public static final String FLUSH_STATE = "cold-flush-at";

    private final long intervalMs;
    private final TypeInformation<WindowRow> rowType;
    private transient ListState<WindowRow> rows;
    private transient ValueState<Long> flushAt;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient Counter dropped;

    /** @param interval how long a tenant's first held row waits for others; must be positive */
    public ColdBatch(Duration interval, TypeInformation<WindowRow> rowType) {
        if (interval.isZero() || interval.isNegative()) throw new IllegalArgumentException("interval must be positive");
        this.intervalMs = interval.toMillis();
        this.rowType = rowType;
    }

    @Override
    public void open() throws Exception {
        super.open();
        rows = getRuntimeContext().getListState(new ListStateDescriptor<>(ROWS_STATE, rowType));
        flushAt = getRuntimeContext().getState(new ValueStateDescriptor<>(FLUSH_STATE, Types.LONG));
        timers = getInternalTimerService("cold-flush", VoidNamespaceSerializer.INSTANCE, this);
        dropped = getMetricGroup().counter("coldEarlyRowsSkipped");
    }

    @Override
    public void processElement(StreamRecord<WindowRow> element) throws Exception {
        WindowRow r = element.getValue();
        if (r.kind() == Kind.EARLY) {
            dropped.inc();
            return;
        }
        rows.add(r);
        if (flushAt.value() == null) {
            long at = getProcessingTimeService().getCurrentProcessingTime() + intervalMs;
            flushAt.update(at);
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flushCurrentKey();
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    private void flushCurrentKey() throws Exception {
        Iterable<WindowRow> held = rows.get();
        if (held != null) {
            for (WindowRow r : held) output.collect(new StreamRecord<>(r));
        }
        rows.clear();
        flushAt.clear();
    }

    /** A bounded run (backfill) ends: every tenant's held rows go now; their timers would never fire. */
    @Override
    public void endInput() throws Exception {
        List<String> keys = new ArrayList<>();
        getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>(FLUSH_STATE, Types.LONG),
                        (key, state) -> keys.add((String) key));
        for (String key : keys) {
            setCurrentKey(key);
            Long at = flushAt.value();
            if (at != null) timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, at);
            flushCurrentKey();
        }
    }
}
