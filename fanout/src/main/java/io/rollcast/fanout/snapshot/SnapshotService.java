package io.rollcast.fanout.snapshot;

import io.rollcast.fanout.limits.FairExecutor;
import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.RecoveryStreams;
import io.rollcast.fanout.redis.StreamId;
import io.rollcast.model.Channels;
import io.rollcast.model.Keys;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.store.RollupQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Reads snapshots (store rows merged with recent recovery-stream entries) and resume replays on a
 * bounded pool of blocking threads, never on an event loop.
 *
 * <p>Order matters for the race-free start: the caller has already subscribed to the channels (and
 * buffers what arrives); this reads each channel's stream position and its last
 * {@code snapshot.stream-overlap} of entries first, then the store. Every delta published after the
 * position is in the caller's buffer; every one before it is either in the store or in the overlap
 * entries (a store that lags Redis by less than the overlap loses nothing).
 */
public final class SnapshotService implements AutoCloseable {

    private final RollupQuery store;
    private final RecoveryStreams streams;
    private final Metrics metrics;
    private final long overlapMs;
    private final long streamTtlMs;
    private final int maxReplay;
    private final FairExecutor pool;
    private final java.time.Clock clock;

    public SnapshotService(
            RollupQuery store,
            RecoveryStreams streams,
            Metrics metrics,
            int threads,
            int queue,
            long overlapMs,
            long streamTtlMs,
            int maxReplay) {
        this(
                store,
                streams,
                metrics,
                threads,
                queue,
                0,
                overlapMs,
                streamTtlMs,
                maxReplay,
                java.time.Clock.systemUTC());
    }

    /**
     * The same, with at most {@code perTenant} reads of one tenant in flight (0 = no bound) and the
     * clock that bounds an open-ended snapshot (a simulation's clock in tests).
     */
    public SnapshotService(
            RollupQuery store,
            RecoveryStreams streams,
            Metrics metrics,
            int threads,
            int queue,
            int perTenant,
            long overlapMs,
            long streamTtlMs,
            int maxReplay,
            java.time.Clock clock) {
        this.clock = clock;
        this.store = store;
        this.streams = streams;
        this.metrics = metrics;
        this.overlapMs = overlapMs;
        this.streamTtlMs = streamTtlMs;
        this.maxReplay = maxReplay;
        this.pool = new FairExecutor("snapshot", threads, queue, perTenant);
        metrics.snapshotQueue(pool::queued);
    }

    /** Whether the pool can take more work now (new connections get 503 otherwise). */
    public boolean saturated() {
        return pool.saturated();
    }

    /** Whether {@code tenant} has its most reads in flight ({@code tenant.max-snapshots}; its new connections get 429). */
    public boolean saturated(String tenant) {
        return pool.saturated(tenant);
    }

    /**
     * Runs {@code task} of {@code tenant} on the pool, tenants served round-robin. When the pool is
     * full, or the tenant has its most reads in flight, the returned future fails with
     * {@link RejectedExecutionException} (never thrown to the caller, so a caller on an event loop always
     * gets its callback).
     */
    public <T> CompletableFuture<T> submit(String tenant, Supplier<T> task) {
        CompletableFuture<T> f = pool.submit(tenant, task);
        if (f.isCompletedExceptionally()) metrics.snapshotRejections.increment();
        return f;
    }

    /** Whether {@code err} (or its cause) is a refusal by the per-tenant bound rather than a full pool. */
    public static boolean tenantBusy(Throwable err) {
        return err instanceof FairExecutor.TenantBusy
                || (err != null && err.getCause() instanceof FairExecutor.TenantBusy);
    }

    /** Whether {@code err} (or its cause) is the pool's refusal of a full queue. */
    public static boolean rejected(Throwable err) {
        return err instanceof RejectedExecutionException
                || (err != null && err.getCause() instanceof RejectedExecutionException);
    }

    /** A snapshot of {@code q} over {@code channels} (hour channel names). Blocking. */
    public Snapshot read(StreamQuery q, List<String> channels) {
        try {
            Map<String, StreamId> positions = new LinkedHashMap<>();
            Map<String, DeltaMessage> recent = new HashMap<>();
            long redisTime = 0;
            for (String ch : channels) {
                RecoveryStreams.Read r = streams.recent(ch, overlapMs, maxReplay);
                redisTime = Math.max(redisTime, r.nowMs());
                positions.put(ch, r.exists() ? r.last() : StreamId.ZERO);
                for (DeltaMessage m : r.entries()) {
                    if (m.gap() || !q.covers(m.eventType(), m.windowStart())) continue; // the store has what was lost
                    DeltaMessage held = recent.get(m.windowKey());
                    if (held == null || m.version() > held.version()) recent.put(m.windowKey(), m);
                }
            }
            // open-ended: to the end of the next hour (the last channel a live session holds), so a
            // snapshot covers at most the query's range (<= snapshot.max-range) plus two hours
            long to = q.to().orElse((Channels.hourOf(Math.max(redisTime, clock.millis())) + 2) * Channels.HOUR_MS);
            List<WindowRow> stored = store.windows(q.tenant(), q.spec(), q.eventType(), q.from(), to);
            Map<String, WindowRow> rows = new HashMap<>();
            Map<String, Long> versions = new HashMap<>();
            for (WindowRow r : stored) {
                String key = Keys.channelWindowKey(r.eventType(), r.windowStart());
                rows.put(key, r);
                versions.put(key, r.version());
            }
            for (Map.Entry<String, DeltaMessage> e : recent.entrySet()) {
                Long v = versions.get(e.getKey());
                if (v == null || e.getValue().version() > v) {
                    rows.put(e.getKey(), RowCodec.readRow(e.getValue().json())); // a delta is a row plus changes
                    versions.put(e.getKey(), e.getValue().version());
                }
            }
            List<WindowRow> ordered = new ArrayList<>(rows.values());
            ordered.sort(Comparator.comparingLong(WindowRow::windowStart).thenComparing(WindowRow::eventType));
            metrics.snapshots.increment();
            return new Snapshot(ordered, versions, positions, redisTime);
        } catch (RuntimeException e) {
            metrics.snapshotErrors.increment();
            throw e;
        }
    }

    /**
     * The entries after {@code positions} (per channel; a channel without a position starts at
     * {@code 0} relative to {@code base}), or a gap when some may be lost: trimmed past the position,
     * possibly expired (the position is older than the stream TTL), or more than
     * {@code resume.max-replay} entries. Blocking.
     */
    public Replay resume(List<String> channels, Map<String, StreamId> positions, long base) {
        List<DeltaMessage> entries = new ArrayList<>();
        Map<String, StreamId> after = new LinkedHashMap<>();
        long redisTime = 0;
        for (String ch : channels) {
            StreamId from = positions.getOrDefault(ch, StreamId.ZERO);
            RecoveryStreams.Read r = streams.after(ch, from, maxReplay);
            redisTime = Math.max(redisTime, r.nowMs());
            long reference = from.equals(StreamId.ZERO) ? base : from.ms();
            if (r.lostAfter(from)) return Replay.gap("entries after the last event id were trimmed from " + ch);
            boolean stillCovered = r.exists() && r.first() != null && r.first().compareTo(from) <= 0;
            if (r.nowMs() - reference >= streamTtlMs && !stillCovered)
                return Replay.gap("position older than the stream TTL");
            if (r.truncated()) return Replay.gap("more than " + maxReplay + " entries to replay");
            if (r.entries().stream().anyMatch(DeltaMessage::gap))
                return Replay.gap("deltas of " + ch + " were lost upstream");
            entries.addAll(r.entries());
            after.put(
                    ch,
                    r.entries().isEmpty()
                            ? from
                            : r.entries().get(r.entries().size() - 1).streamId());
        }
        return new Replay(false, "", entries, after, redisTime);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
