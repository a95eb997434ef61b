package io.rollcast.fanout.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters and gauges, rendered in the Prometheus text format by {@link #render}.
 *
 * <p>A handful of {@link LongAdder}s updated from the event loops and the Redis thread; no metrics
 * library is needed for this few.
 */
public final class Metrics {
    public final LongAdder connectionsSse = new LongAdder();
    public final LongAdder connectionsWs = new LongAdder();
    public final LongAdder connectionsTotal = new LongAdder();
    public final LongAdder messagesIn = new LongAdder();
    public final LongAdder badMessages = new LongAdder();
    public final LongAdder messagesOut = new LongAdder();
    public final LongAdder drops = new LongAdder();
    public final LongAdder resyncs = new LongAdder();
    public final LongAdder slowDisconnects = new LongAdder();
    public final LongAdder expiredDisconnects = new LongAdder();
    public final LongAdder snapshots = new LongAdder();
    public final LongAdder snapshotErrors = new LongAdder();
    public final LongAdder snapshotRejections = new LongAdder();
    public final LongAdder resumes = new LongAdder();
    public final LongAdder subscriptions = new LongAdder();
    public final LongAdder redisReconnects = new LongAdder();
    public final LongAdder authRefusals = new LongAdder();
    public final LongAdder badRequests = new LongAdder();
    public final LongAdder refusedConnections = new LongAdder();
    public final LongAdder tenantLimited = new LongAdder();
    public final LongAdder gaps = new LongAdder();
    public final LongAdder rangeRequests = new LongAdder();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private volatile IntSupplier snapshotQueue = () -> 0;

    /** The open-connections gauge of a transport, {@code sse} or {@code ws}. */
    public LongAdder connections(String transport) {
        return transport.equals("sse") ? connectionsSse : connectionsWs;
    }

    public void snapshotQueue(IntSupplier s) {
        this.snapshotQueue = s;
    }

    /** Prometheus text exposition format 0.0.4. */
    public String render() {
        StringBuilder sb = new StringBuilder(2048);
        header(sb, "rollcast_fanout_connections", "Open streaming connections by transport.", "gauge");
        sb.append("rollcast_fanout_connections{transport=\"sse\"} ")
                .append(connectionsSse.sum())
                .append('\n');
        sb.append("rollcast_fanout_connections{transport=\"ws\"} ")
                .append(connectionsWs.sum())
                .append('\n');
        counter(sb, "rollcast_fanout_connections_total", "Streaming connections accepted.", connectionsTotal.sum());
        gauge(
                sb,
                "rollcast_fanout_subscriptions",
                "Redis channels subscribed (shared by all local clients).",
                null,
                subscriptions.sum());
        counter(sb, "rollcast_fanout_messages_in_total", "Delta messages received from Redis.", messagesIn.sum());
        counter(sb, "rollcast_fanout_bad_messages_total", "Redis messages dropped as malformed.", badMessages.sum());
        counter(sb, "rollcast_fanout_messages_out_total", "Delta frames written to clients.", messagesOut.sum());
        counter(sb, "rollcast_fanout_drops_total", "Frames dropped from slow clients' queues.", drops.sum());
        counter(
                sb,
                "rollcast_fanout_resyncs_total",
                "Fresh snapshots sent as resync (overflow, gap, Redis reconnect).",
                resyncs.sum());
        counter(
                sb,
                "rollcast_fanout_slow_disconnects_total",
                "Clients disconnected for staying unwritable.",
                slowDisconnects.sum());
        counter(
                sb,
                "rollcast_fanout_expired_disconnects_total",
                "Streams ended because their token expired.",
                expiredDisconnects.sum());
        counter(sb, "rollcast_fanout_snapshots_total", "Snapshots read.", snapshots.sum());
        counter(sb, "rollcast_fanout_snapshot_errors_total", "Snapshot reads that failed.", snapshotErrors.sum());
        counter(
                sb,
                "rollcast_fanout_snapshot_rejections_total",
                "Snapshot reads refused because snapshot.queue was full (sessions retry with backoff).",
                snapshotRejections.sum());
        counter(
                sb,
                "rollcast_fanout_resumes_total",
                "Reconnects resumed from a last event id without a resync.",
                resumes.sum());
        counter(
                sb,
                "rollcast_fanout_redis_reconnects_total",
                "Reconnects of the Redis pub/sub connection.",
                redisReconnects.sum());
        counter(sb, "rollcast_fanout_auth_refusals_total", "Requests refused with 401 or 403.", authRefusals.sum());
        counter(sb, "rollcast_fanout_bad_requests_total", "Requests refused with another 4xx.", badRequests.sum());
        counter(
                sb,
                "rollcast_fanout_refused_connections_total",
                "Connections closed at once because server.max-connections were open.",
                refusedConnections.sum());
        counter(
                sb,
                "rollcast_fanout_tenant_limited_total",
                "Requests refused with 429 by a per-tenant limit (streams, snapshots in flight, connection rate).",
                tenantLimited.sum());
        counter(
                sb,
                "rollcast_fanout_range_requests_total",
                "GET /v1/rollups requests admitted (read from the store and the cold files).",
                rangeRequests.sum());
        counter(
                sb,
                "rollcast_fanout_gap_resyncs_total",
                "Sessions resynced because the job announced dropped deltas (gap markers).",
                gaps.sum());
        gauge(
                sb,
                "rollcast_fanout_snapshot_queue",
                "Snapshot reads waiting for a thread.",
                null,
                snapshotQueue.getAsInt());
        gauge(
                sb,
                "jvm_memory_heap_used_bytes",
                "Heap in use.",
                null,
                memory.getHeapMemoryUsage().getUsed());
        gauge(
                sb,
                "jvm_memory_direct_used_bytes",
                "Netty direct memory in use.",
                null,
                io.netty.util.internal.PlatformDependent.usedDirectMemory());
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        header(sb, name, help, "counter");
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder sb, String name, String help, String type) {
        sb.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append('\n')
                .append("# TYPE ")
                .append(name)
                .append(' ')
                .append(type)
                .append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, String labels, long value) {
        header(sb, name, help, "gauge");
        sb.append(name)
                .append(labels == null ? "" : labels)
                .append(' ')
                .append(value)
                .append('\n');
    }
}
