package io.rollcast.operators;

import io.rollcast.model.Event;
import io.rollcast.model.Keys;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import io.rollcast.model.WindowStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Rolls events of one (tenant, event type) key up into every configured tumbling and sliding
 * window and emits a versioned changelog of {@link WindowRow}s: early rows while a window is open,
 * one final row when the watermark passes its end, late rows when an event within the allowed
 * lateness changes a final window.
 *
 * <p><b>Panes.</b> Each event updates exactly one pane (the gcd of all sizes and slides), whatever
 * the overlap of the specs: one state read and one write. A window is the combination of its panes.
 *
 * <p><b>Emission cost.</b> Finals of consecutive windows of one spec are computed with a Two-Stacks
 * FIFO aggregator ({@link FifoAgg}) per (key, spec), so each emitted row costs O(1) amortized
 * combines and each pane is read from state once per spec. The aggregators are a heap cache derived
 * from the pane state (bounded LRU, never checkpointed): a late event or a restore simply rebuilds
 * them from the panes. Sums are exact ({@link ExactSum}), so the order of combination never
 * changes a result.
 *
 * <p><b>Early rows</b> are emitted on an aligned processing-time tick, only for windows whose
 * panes changed since the last tick, and per sliding spec only for the window that ends next, so a
 * key emits at most (tumbling specs x open windows with changes) + (sliding specs) rows per tick.
 *
 * <p><b>Lateness.</b> An event is too late, and goes to {@link #TOO_LATE}, when the end of its pane
 * plus the allowed lateness is at or before its own partition's watermark (stamped on the event by
 * {@link RouteRejected}): then every window containing it is past its lateness. The decision does
 * not depend on how fast the other partitions were read, so replays decide the same. Otherwise it counts in every window containing it. A pane is purged when the
 * last window containing it is past its lateness; the key's state is gone when its last pane is.
 */
public final class WindowRollups extends KeyedProcessFunction<String, Event, WindowRow>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Events later than the allowed lateness. */
    public static final OutputTag<Event> TOO_LATE = new OutputTag<>("too-late", TypeInformation.of(Event.class));

    private final WindowSpec[] specs;
    private final long paneMs;
    private final long latenessMs;
    private final long earlyIntervalMs;
    private final long tickMs;
    private final long dedupHorizonMs;
    private final int cacheMaxEntries;
    private final RollupStats stats;

    /** Whether panes hold quantile or distinct sketches (larger cache entries). */
    boolean sketches() {
        return stats.quantiles() || stats.distinct();
    }

    private transient StateCache cache;
    /** Keyed state {@code anomaly-history}, only when anomaly scores are configured. */
    private transient StateCache.CachedValue<AnomalyHistory> history;

    private transient StateCache.CachedMap<Long, Agg> panes;
    private transient StateCache.CachedValue<KeyMeta> meta;
    private transient MapState<String, Boolean> seenIds;
    private transient Map<String, FifoAgg[]> fifoCache;
    private transient ListState<Long> watermarkState;
    /** Watermarks are not checkpointed: after a restore the input's starts again from scratch. */
    private transient long restoredWatermark;

    private transient long lastWatermark;

    private transient Counter tooLate;
    private transient Counter lateAccepted;
    private transient Counter duplicates;
    private transient Counter rowsEarly;
    private transient Counter rowsFinal;
    private transient Counter rowsLate;

    /**
     * @param specs the window specs, at least one
     * @param allowedLateness how long after a window's end events still update it
     * @param earlyInterval interval of early rows; zero disables them (late rows still flush every second)
     * @param dedupHorizon de-duplicate by event id within this processing-time horizon; zero disables
     * @param cacheMaxEntries bound of the heap cache of sliding aggregators (keys x specs)
     */
    public WindowRollups(
            List<WindowSpec> specs,
            Duration allowedLateness,
            Duration earlyInterval,
            Duration dedupHorizon,
            int cacheMaxEntries) {
        this(specs, allowedLateness, earlyInterval, dedupHorizon, cacheMaxEntries, RollupStats.NONE);
    }

    /** As above, also keeping the quantiles, distinct counts and anomaly scores of {@code stats}. */
    public WindowRollups(
            List<WindowSpec> specs,
            Duration allowedLateness,
            Duration earlyInterval,
            Duration dedupHorizon,
            int cacheMaxEntries,
            RollupStats stats) {
        this.stats = stats;
        if (specs.isEmpty()) throw new IllegalArgumentException("at least one window spec is required");
        this.specs = specs.toArray(new WindowSpec[0]);
        this.paneMs = paneSize(specs);
        this.latenessMs = allowedLateness.toMillis();
        this.earlyIntervalMs = earlyInterval.toMillis();
        this.tickMs = earlyIntervalMs > 0 ? earlyIntervalMs : 1000;
        this.dedupHorizonMs = dedupHorizon.toMillis();
        this.cacheMaxEntries = cacheMaxEntries;
        if (latenessMs < 0) throw new IllegalArgumentException("allowed lateness must not be negative");
    }

    /** The pane size: the gcd of every size and slide. */
    public static long paneSize(List<WindowSpec> specs) {
        long g = 0;
        for (WindowSpec s : specs) {
            g = gcd(g, s.sizeMs());
            g = gcd(g, s.slideMs());
        }
        return g;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public void open(OpenContext ctx) {
        cache = new StateCache();
        panes = cache.map(
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("panes", Types.LONG, TypeInformation.of(Agg.class))),
                Agg::copy);
        meta = cache.value(
                getRuntimeContext().getState(new ValueStateDescriptor<>("key-meta", TypeInformation.of(KeyMeta.class))),
                KeyMeta::copy);
        if (stats.anomaly()) {
            history = cache.value(
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>(
                                    "anomaly-history", TypeInformation.of(AnomalyHistory.class))),
                    AnomalyHistory::copy);
        }
        if (dedupHorizonMs > 0) {
            MapStateDescriptor<String, Boolean> d =
                    new MapStateDescriptor<>("seen-event-ids", Types.STRING, Types.BOOLEAN);
            d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(dedupHorizonMs))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .cleanupInRocksdbCompactFilter(1000)
                    .build());
            seenIds = getRuntimeContext().getMapState(d);
        }
        int max = cacheMaxEntries;
        fifoCache = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, FifoAgg[]> eldest) {
                return size() > max;
            }
        };
        var g = getRuntimeContext().getMetricGroup();
        tooLate = g.counter("eventsTooLate");
        lateAccepted = g.counter("eventsLate");
        duplicates = g.counter("eventsDuplicate");
        rowsEarly = g.counter("rowsEarly");
        rowsFinal = g.counter("rowsFinal");
        rowsLate = g.counter("rowsLate");
    }

    /** The keyed state (panes, key metadata), write-through unless {@link WindowRollupsOperator} enables write-back. */
    StateCache stateCache() {
        return cache;
    }

    /**
     * Keeps the watermark in operator state ({@code watermark}), so that after a restore events are
     * judged late or too late exactly as before the failure, until the input's watermark catches up.
     * On rescaling the lowest of the subtasks' watermarks is used; a subtask that never saw an event
     * or a timer has none ({@code Long.MIN_VALUE}) and is not counted.
     */
    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        watermarkState =
                ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("watermark", Types.LONG));
        restoredWatermark = Long.MIN_VALUE;
        if (ctx.isRestored()) {
            long min = Long.MAX_VALUE;
            for (Long w : watermarkState.get()) {
                if (w != Long.MIN_VALUE) min = Math.min(min, w);
            }
            if (min != Long.MAX_VALUE) restoredWatermark = min;
        }
        lastWatermark = restoredWatermark;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        watermarkState.update(List.of(lastWatermark));
    }

    private long watermark(Context ctx) {
        long wm = Math.max(ctx.timerService().currentWatermark(), restoredWatermark);
        if (wm > lastWatermark) lastWatermark = wm;
        return wm;
    }

    // ---------------------------------------------------------------- events

    @Override
    public void processElement(Event e, Context ctx, Collector<WindowRow> out) throws Exception {
        long wm = watermark(ctx);
        long p = Math.floorDiv(e.timestamp(), paneMs) * paneMs;
        boolean paneClosed = p + paneMs - 1 <= wm;
        // too late by the event's own partition's watermark (deterministic; see RouteRejected), or by
        // the operator's when that is ahead (only when idleness let other partitions move time on:
        // the windows may be purged already)
        if (p + paneMs - 1 + latenessMs <= Math.max(wm, e.partitionWatermark())) {
            tooLate.inc();
            ctx.output(TOO_LATE, e);
            return;
        }
        if (seenIds != null) {
            if (seenIds.contains(e.eventId())) {
                duplicates.inc();
                return;
            }
            seenIds.put(e.eventId(), Boolean.TRUE);
        }

        Agg pane = panes.getForUpdate(p); // put back below: no copy of its sketches per event
        KeyMeta m = null;
        if (pane == null) {
            pane = new Agg();
            m = metaOrNew();
            m.panes = KeyMeta.insert(m.panes, p);
            ctx.timerService().registerEventTimeTimer(nextDue(p, Math.max(wm, m.finalizedUpTo)));
        }
        pane.add(e.value());
        if (stats.quantiles() && pane.quantiles == null) pane.quantiles = new QuantileSketch();
        if (stats.distinct() && pane.distinct == null) pane.distinct = new DistinctSketch();
        pane.addToSketches(e.value(), e.distinctHash());
        if (paneClosed) {
            lateAccepted.inc();
            fifoCache.remove(ctx.getCurrentKey()); // a cached closed pane changed
            if (pane.dirty != Agg.DIRTY_LATE) {
                pane.dirty = Agg.DIRTY_LATE;
                m = m != null ? m : metaOrNew();
                m.dirtyLate = KeyMeta.insert(m.dirtyLate, p);
                registerTick(ctx);
            }
        } else if (earlyIntervalMs > 0 && pane.dirty == Agg.CLEAN) {
            pane.dirty = Agg.DIRTY_OPEN;
            m = m != null ? m : metaOrNew();
            m.dirtyOpen = KeyMeta.insert(m.dirtyOpen, p);
            registerTick(ctx);
        }
        panes.put(p, pane);
        if (m != null) meta.update(m);
    }

    private KeyMeta metaOrNew() throws Exception {
        KeyMeta m = checked(meta.value());
        if (m == null) {
            m = new KeyMeta();
            m.paneMs = paneMs;
        }
        return m;
    }

    /**
     * Panes are keyed by their start: state written with one pane size cannot be read with another.
     * Window specs may change across a savepoint only if the gcd of all sizes and slides stays the same.
     */
    private KeyMeta checked(KeyMeta m) {
        if (m != null && m.paneMs != 0 && m.paneMs != paneMs) {
            throw new IllegalStateException("the window specs " + java.util.Arrays.toString(specs) + " give a pane of "
                    + paneMs + " ms but the restored state has panes of " + m.paneMs + " ms; keep the gcd of all window"
                    + " sizes and slides unchanged across a savepoint, or start the new specs as a new job");
        }
        return m;
    }

    private void registerTick(Context ctx) {
        long now = ctx.timerService().currentProcessingTime();
        ctx.timerService().registerProcessingTimeTimer((now / tickMs + 1) * tickMs);
    }

    // ---------------------------------------------------------------- timers

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowRow> out) throws Exception {
        long wm = watermark(ctx); // keeps lastWatermark >= every finalized window and purge, for snapshots
        KeyMeta m = checked(meta.value());
        if (m == null) { // the key's windows are all gone; only its anomaly history may be left
            if (history != null && ctx.timeDomain() == TimeDomain.EVENT_TIME) purgeHistory(timestamp);
            return;
        }
        Emitter emit = new Emitter(ctx, out, m);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // event-time timers up to the watermark have all fired: every window it closed is final
            emit.lateRows(wm);
            emit.earlyRows();
            meta.update(m);
            return;
        }

        // event time: flush late changes before anything is purged, then finals, then purge;
        // windows ending after this timer get their finals from the timers that follow
        emit.lateRows(timestamp - 1);
        if (timestamp > m.finalizedUpTo) {
            long end = timestamp + 1;
            for (int i = 0; i < specs.length; i++) {
                WindowSpec s = specs[i];
                if (Math.floorMod(end, s.slideMs()) == 0 && m.hasPaneIn(end - s.sizeMs(), end)) {
                    Agg a = emit.closedAggregate(i, end - s.sizeMs(), end);
                    emit.row(s, end - s.sizeMs(), end, a, Kind.FINAL);
                }
            }
            m.finalizedUpTo = timestamp;
            m.closedEnd = Math.max(m.closedEnd, Math.floorDiv(end, paneMs) * paneMs);
        }
        purge(m, timestamp, ctx.getCurrentKey());
        if (history != null) purgeHistory(timestamp);
        if (m.panes.length == 0) {
            meta.clear();
            fifoCache.remove(ctx.getCurrentKey());
            AnomalyHistory h = history == null ? null : history.value();
            if (h != null) ctx.timerService().registerEventTimeTimer(historyExpiry(h.maxStart()));
            return;
        }
        long next = Long.MAX_VALUE;
        for (long p : m.panes) next = Math.min(next, nextDue(p, timestamp));
        ctx.timerService().registerEventTimeTimer(next);
        meta.update(m);
    }

    /** The first time after {@code after} at which pane {@code p} needs a timer: a window end, or its purge. */
    private long nextDue(long p, long after) {
        long due = purgeTime(p);
        for (WindowSpec s : specs) {
            long firstEndAfter = after == Long.MIN_VALUE
                    ? Long.MIN_VALUE
                    : (Math.floorDiv(after + 1, s.slideMs()) + 1) * s.slideMs();
            long e = Math.max(s.firstEndContaining(p), firstEndAfter);
            if (e <= s.lastEndContaining(p)) due = Math.min(due, e - 1);
        }
        return due;
    }

    private long purgeTime(long p) {
        long maxEnd = Long.MIN_VALUE;
        for (WindowSpec s : specs) maxEnd = Math.max(maxEnd, s.lastEndContaining(p));
        return maxEnd - 1 + latenessMs;
    }

    /**
     * An anomaly-history entry of spec s is needed while a window of s may still emit a row with it
     * among its trailing windows: while {@code start >= t - 2 x lateness - 2 x size - (history + 1) x slide}.
     */
    private long historyHorizon(WindowSpec s) {
        return 2 * latenessMs + 2 * s.sizeMs() + (stats.anomalyHistory() + 1L) * s.slideMs();
    }

    private long historyExpiry(long maxStart) {
        long h = 0;
        for (WindowSpec s : specs) h = Math.max(h, historyHorizon(s));
        return maxStart + h + 1;
    }

    private void purgeHistory(long timestamp) throws Exception {
        AnomalyHistory h = history.value();
        if (h == null) return;
        boolean changed = h.retain((spec, start) -> {
            for (WindowSpec s : specs) {
                if (s.id().equals(spec)) return start >= timestamp - historyHorizon(s);
            }
            return false; // a spec no longer configured
        });
        if (h.isEmpty()) history.clear();
        else if (changed) history.update(h);
    }

    private void purge(KeyMeta m, long timestamp, String key) throws Exception {
        int keep = 0;
        for (long p : m.panes) {
            if (purgeTime(p) <= timestamp) {
                panes.remove(p);
            } else {
                m.panes[keep++] = p;
            }
        }
        if (keep < m.panes.length) {
            m.panes = java.util.Arrays.copyOf(m.panes, keep);
            fifoCache.remove(key);
        }
    }

    /** Emission helpers for one timer invocation of one key. */
    private final class Emitter {
        private final Context ctx;
        private final Collector<WindowRow> out;
        private final KeyMeta m;
        private final String tenant;
        private final String type;
        private final long now;

        Emitter(Context ctx, Collector<WindowRow> out, KeyMeta m) {
            this.ctx = ctx;
            this.out = out;
            this.m = m;
            String key = ctx.getCurrentKey();
            this.tenant = Keys.tenantOf(key);
            this.type = Keys.typeOf(key);
            this.now = ctx.timerService().currentProcessingTime();
        }

        void row(WindowSpec s, long start, long end, Agg a, Kind kind) throws Exception {
            if (a.count == 0) return;
            boolean closed = kind != Kind.EARLY;
            WindowStats st = stats.any() ? statsOf(s, start, a, closed) : null;
            out.collect(new WindowRow(
                    tenant,
                    type,
                    s.id(),
                    start,
                    end,
                    a.count,
                    a.sumValue(),
                    a.min,
                    a.max,
                    kind,
                    WindowRow.version(a.count, closed),
                    now,
                    st));
            (kind == Kind.EARLY ? rowsEarly : kind == Kind.FINAL ? rowsFinal : rowsLate).inc();
        }

        /** The configured statistics of a window; a closed row is scored against, then recorded in, its key's history. */
        private WindowStats statsOf(WindowSpec s, long start, Agg a, boolean closed) throws Exception {
            double[] levels = null, quantiles = null;
            byte[] qSketch = null;
            if (stats.quantiles() && a.quantiles != null && a.quantiles.count() > 0) {
                levels = stats.quantileLevels();
                quantiles = a.quantiles.quantiles(levels);
                qSketch = a.quantiles.serialize();
            }
            long distinct = -1;
            byte[] dSketch = null;
            if (stats.distinct()) {
                DistinctSketch d = a.distinct != null ? a.distinct : new DistinctSketch();
                distinct = d.estimate();
                dSketch = d.serialize();
            }
            WindowStats.Anomaly anomaly = null;
            if (closed && history != null) {
                double x = switch (stats.anomalyMetric()) {
                    case "sum" -> a.sumValue();
                    case "p99" ->
                        quantiles == null ? Double.NaN : quantiles[java.util.Arrays.binarySearch(levels, 0.99)];
                    default -> a.count;
                };
                if (!Double.isNaN(x)) anomaly = scoreAndRecord(s, start, x);
            }
            return new WindowStats(levels, quantiles, qSketch, distinct, dSketch, anomaly);
        }

        /**
         * Scores {@code x} against the trailing windows of spec s that can no longer change: those
         * ending at or before {@code start - allowed lateness} (every one of them is past its lateness
         * when this window closes, and their last rows came first), so the score depends only on the
         * windows' contents, never on when late events or restores happened. Windows without events
         * have no row and are not counted; with fewer than half the history present there is no score.
         */
        private WindowStats.Anomaly scoreAndRecord(WindowSpec s, long start, double x) throws Exception {
            AnomalyHistory h = history.value();
            if (h == null) h = new AnomalyHistory();
            long lastEnd = Math.floorDiv(start - latenessMs, s.slideMs()) * s.slideMs();
            double[] found = new double[stats.anomalyHistory()];
            int n = 0;
            for (int k = 0; k < stats.anomalyHistory(); k++) {
                int i = h.indexOf(s.id(), lastEnd - k * s.slideMs() - s.sizeMs());
                if (i >= 0) found[n++] = h.values[i];
            }
            WindowStats.Anomaly a = n >= stats.minHistory()
                    ? AnomalyScore.score(
                            x,
                            java.util.Arrays.copyOf(found, n),
                            stats.anomalyThreshold(),
                            stats.anomalyMetric().equals("count"))
                    : null;
            h.put(s.id(), start, x);
            history.update(h);
            return a;
        }

        /** Aggregate of the closed panes in {@code [start, closedTo)}, from the per-spec FIFO cache. */
        Agg closedAggregate(int specIndex, long start, long closedTo) throws Exception {
            String key = ctx.getCurrentKey();
            FifoAgg[] fifos = fifoCache.computeIfAbsent(key, k -> new FifoAgg[specs.length]);
            FifoAgg f = fifos[specIndex];
            if (f == null || start < f.windowStart() || closedTo < f.pushedUpTo) {
                f = new FifoAgg(start);
                fifos[specIndex] = f;
            }
            f.evictBefore(start);
            if (f.pushedUpTo < start) f.pushedUpTo = start;
            for (int i = KeyMeta.lowerBound(m.panes, f.pushedUpTo); i < m.panes.length && m.panes[i] < closedTo; i++) {
                f.push(m.panes[i], panes.get(m.panes[i]));
            }
            f.pushedUpTo = Math.max(f.pushedUpTo, closedTo);
            return f.query();
        }

        /** Aggregate of a window that may still be open: cached closed part plus the open panes read directly. */
        Agg windowAggregate(int specIndex, long start, long end) throws Exception {
            long split = Math.min(end, Math.max(start, m.closedEnd));
            Agg a = split > start ? closedAggregate(specIndex, start, split) : new Agg();
            for (int i = KeyMeta.lowerBound(m.panes, split); i < m.panes.length && m.panes[i] < end; i++) {
                a.merge(panes.get(m.panes[i]));
            }
            return a;
        }

        /**
         * Emits every closed window (end - 1 <= {@code closedBound}) that a late event changed: a
         * correction of a final row, or the first row of a window that closed before its first event
         * arrived. One sweep per spec.
         */
        void lateRows(long closedBound) throws Exception {
            if (m.dirtyLate.length == 0) return;
            Map<Long, Agg> read = new HashMap<>();
            for (WindowSpec s : specs) {
                TreeSet<Long> ends = new TreeSet<>();
                for (long p : m.dirtyLate) {
                    long last = s.lastEndContaining(p);
                    if (closedBound < Long.MAX_VALUE)
                        last = Math.min(last, Math.floorDiv(closedBound + 1, s.slideMs()) * s.slideMs());
                    for (long e = s.firstEndContaining(p); e <= last; e += s.slideMs()) ends.add(e);
                }
                FifoAgg f = null;
                for (long e : ends) {
                    long start = e - s.sizeMs();
                    if (f == null || start < f.windowStart()) f = new FifoAgg(start);
                    f.evictBefore(start);
                    if (f.pushedUpTo < start) f.pushedUpTo = start;
                    for (int i = KeyMeta.lowerBound(m.panes, f.pushedUpTo); i < m.panes.length && m.panes[i] < e; i++) {
                        long p = m.panes[i];
                        Agg pane = read.get(p);
                        if (pane == null) {
                            pane = panes.get(p);
                            read.put(p, pane);
                        }
                        f.push(p, pane);
                    }
                    f.pushedUpTo = e;
                    row(s, start, e, f.query(), Kind.LATE);
                }
            }
            clearDirty(m.dirtyLate);
            m.dirtyLate = new long[0];
        }

        /** Early rows for windows whose panes changed since the last tick. */
        void earlyRows() throws Exception {
            if (m.dirtyOpen.length == 0) return;
            long wm = watermark(ctx);
            long[] dirty = m.dirtyOpen;
            if (wm == Long.MIN_VALUE) wm = dirty[0] - 1; // no watermark yet: the oldest change is "now"
            for (int i = 0; i < specs.length; i++) {
                WindowSpec s = specs[i];
                if (s.isTumbling()) {
                    long lastStart = Long.MIN_VALUE;
                    for (long p : dirty) {
                        long start = Math.floorDiv(p, s.sizeMs()) * s.sizeMs();
                        long end = start + s.sizeMs();
                        if (start == lastStart || end - 1 <= wm) continue; // already emitted, or final
                        lastStart = start;
                        row(s, start, end, windowAggregate(i, start, end), Kind.EARLY);
                    }
                } else {
                    long end = (Math.floorDiv(wm + 1, s.slideMs()) + 1) * s.slideMs();
                    long start = end - s.sizeMs();
                    if (KeyMeta.anyIn(dirty, start, end)) {
                        row(s, start, end, windowAggregate(i, start, end), Kind.EARLY);
                    }
                }
            }
            clearDirty(dirty);
            m.dirtyOpen = new long[0];
        }

        private void clearDirty(long[] dirtyPanes) throws Exception {
            for (long p : dirtyPanes) {
                Agg pane = panes.get(p);
                if (pane != null && pane.dirty != Agg.CLEAN) {
                    pane.dirty = Agg.CLEAN;
                    panes.put(p, pane);
                }
            }
        }
    }
}
