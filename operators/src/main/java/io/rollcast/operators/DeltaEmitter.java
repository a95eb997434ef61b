package io.rollcast.operators;

import io.rollcast.model.WindowDelta;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns the changelog of window rows into {@link WindowDelta}s: for each row, its change since the
 * last row emitted for the same window (count, sum, min, max), next to its absolute values.
 *
 * <p><b>Keying.</b> Keyed like {@link WindowRollups}, by (tenant, event type) ({@link WindowRow#rollupKey}),
 * so the job chains it to the rollups without a shuffle (their output is already partitioned by that
 * key). The windows of a key live in one map state, {@code last-emitted}, keyed by the windows'
 * clean-up time; an entry holds every window of the key that ends at the same time.
 *
 * <p><b>Duplicates.</b> A row whose version is not higher than the last one emitted for its window
 * is dropped (a replay after a restore, or an early row with unchanged content). Versions are
 * content-derived, so a final row with the same count as the last early row still passes, with zero
 * changes.
 *
 * <p><b>Retention.</b> {@link WindowRollups} can emit a late correction for a window until it purges
 * the window's last pane, which the largest spec keeps up to {@code maxSize - pane} after the
 * window's end, plus the allowed lateness. A window's entry is therefore removed by an event-time
 * timer at {@code windowEnd - 1 + allowedLateness + maxSize - pane}: for a single tumbling spec
 * exactly end + lateness; with a 60 m sliding spec about an hour more. Nothing outlives that.
 */
public final class DeltaEmitter extends KeyedProcessFunction<String, WindowRow, WindowDelta> {
    private static final long serialVersionUID = 1L;

    private final long retentionMs;

    private transient StateCache cache;
    private transient StateCache.CachedMap<Long, LastEmitted> last;
    private transient Counter emitted;
    private transient Counter stale;

    /**
     * @param specs the window specs of the rollups (they set how long a window can still change)
     * @param allowedLateness the rollups' allowed lateness
     */
    public DeltaEmitter(List<WindowSpec> specs, Duration allowedLateness) {
        this.retentionMs = retention(specs, allowedLateness).toMillis();
    }

    /** How long after its end a window's last emitted values are kept; see the class comment. */
    public static Duration retention(List<WindowSpec> specs, Duration allowedLateness) {
        long maxSize = specs.stream()
                .mapToLong(WindowSpec::sizeMs)
                .max()
                .orElseThrow(() -> new IllegalArgumentException("at least one window spec is required"));
        return allowedLateness.plusMillis(maxSize - WindowRollups.paneSize(specs));
    }

    /** The {@code last-emitted} state, write-through unless {@link DeltaEmitterOperator} enables write-back. */
    StateCache stateCache() {
        return cache;
    }

    @Override
    public void open(OpenContext ctx) {
        cache = new StateCache();
        last = cache.map(
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>(
                                "last-emitted", Types.LONG, TypeInformation.of(LastEmitted.class))),
                LastEmitted::copy);
        emitted = getRuntimeContext().getMetricGroup().counter("deltasEmitted");
        stale = getRuntimeContext().getMetricGroup().counter("rowsStale");
    }

    @Override
    public void processElement(WindowRow row, Context ctx, Collector<WindowDelta> out) throws Exception {
        long cleanupAt = row.windowEnd() - 1 + retentionMs;
        LastEmitted at = last.get(cleanupAt);
        int i = at == null ? -1 : at.indexOf(row.spec(), row.windowStart());
        if (i >= 0 && row.version() <= at.versions[i]) {
            stale.inc();
            return;
        }
        long prevVersion = i < 0 ? 0 : at.versions[i];
        long prevCount = i < 0 ? 0 : at.counts[i];
        double prevSum = i < 0 ? 0 : at.sums[i];
        double prevMin = i < 0 ? 0 : at.mins[i];
        double prevMax = i < 0 ? 0 : at.maxs[i];
        out.collect(new WindowDelta(
                row.tenantId(),
                row.eventType(),
                row.spec(),
                row.windowStart(),
                row.windowEnd(),
                row.kind(),
                row.version(),
                prevVersion,
                row.count(),
                row.sum(),
                row.min(),
                row.max(),
                row.count() - prevCount,
                row.sum() - prevSum,
                row.min() - prevMin,
                row.max() - prevMax,
                row.emittedAt(),
                row.stats()));
        emitted.inc();
        if (at == null) {
            at = new LastEmitted();
            // keyed by the clean-up time, so the timer removes exactly its entry, whatever the config was
            ctx.timerService().registerEventTimeTimer(cleanupAt);
        }
        at.put(row.spec(), row.windowStart(), row.version(), row.count(), row.sum(), row.min(), row.max());
        last.put(cleanupAt, at);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowDelta> out) throws Exception {
        last.remove(timestamp);
    }
}
