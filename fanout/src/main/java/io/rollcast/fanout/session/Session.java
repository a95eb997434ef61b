package io.rollcast.fanout.session;

import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.fanout.redis.ChannelHub;
import io.rollcast.fanout.redis.Channels;
import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.Replay;
import io.rollcast.fanout.snapshot.Snapshot;
import io.rollcast.fanout.snapshot.SnapshotEnvelope;
import io.rollcast.fanout.snapshot.SnapshotService;
import io.rollcast.fanout.snapshot.StreamQuery;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One streaming client: its query, hour channels, stream positions, window versions and bounded
 * outgoing queue. Every method runs on the client's event loop.
 *
 * <p><b>Start</b> (and every resync): subscribe to the channels and wait for Redis to confirm, buffer
 * what arrives, read the snapshot (or the resume replay) on the snapshot pool, send it, then send the
 * buffered deltas that are after the snapshot's stream positions and newer than its versions.
 * <b>Live</b>: a delta is sent when its stream id is after the channel's position and its version is
 * higher than the client's for that window; the event id is the {@link Cursor}.
 *
 * <p><b>Slow client.</b> Frames go straight to the socket while it is writable; otherwise they queue,
 * at most {@code client.max-pending}. On overflow the queue is dropped and, once the socket drains,
 * the client gets a {@code resync} (a fresh snapshot). A socket unwritable for
 * {@code client.max-stall} is closed. So one slow client costs at most its socket buffer, the
 * write-buffer high-water mark and the queue, and never delays others.
 */
public final class Session {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    /** What a session needs from the server. */
    public record Services(ChannelHub hub, SnapshotService snapshots, Router router, Metrics metrics,
            int maxPending, long maxStallMs, long pingMs) {}

    private enum State { SUBSCRIBING, SYNCING, LIVE, CLOSED }

    private final Services sv;
    private final Transport transport;
    private final Channel channel;
    private final EventLoop loop;
    private final StreamQuery query;
    private final long expiresAt;
    private final TreeMap<Long, String> channels = new TreeMap<>(); // hour -> channel name
    private final Map<String, StreamId> positions = new HashMap<>();
    private final Map<Long, String> hourNames = new HashMap<>();
    private final Map<String, Long> versions = new HashMap<>();
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private List<DeltaMessage> buffer = new ArrayList<>();
    private boolean bufferOverflow;
    private State state = State.SUBSCRIBING;
    private Cursor resumeFrom;
    private String syncEvent = "snapshot";
    private String resyncReason;
    private boolean resyncPending;
    private long cursorBase;
    private long unwritableSince;
    private long lastSend = System.currentTimeMillis();
    private int failures;
    private static final int MAX_RETRIES = 3;
    private int busyRetries;
    /** Retries of a snapshot the full pool refused (backoff 0.25, 0.5, 1, 2, 4, 4 s, each plus up to as much jitter). */
    private static final int MAX_BUSY_RETRIES = 6;

    /**
     * A session for {@code query}, resuming after {@code resumeFrom} (may be null), ended once the clock
     * passes {@code expiresAt} (epoch ms: the token's expiry plus the clock skew).
     */
    public Session(Services sv, Transport transport, StreamQuery query, Cursor resumeFrom, long expiresAt) {
        this.sv = sv;
        this.transport = transport;
        this.channel = transport.channel();
        this.loop = channel.eventLoop();
        this.query = query;
        this.resumeFrom = resumeFrom;
        this.expiresAt = expiresAt;
    }

    EventLoop loop() {
        return loop;
    }

    public StreamQuery query() {
        return query;
    }

    /** The transport's name, {@code sse} or {@code ws}. */
    public String transport() {
        return transport.name();
    }

    /** Counts the connection, subscribes to the query's hour channels and starts the first sync. On the loop. */
    public void start(long now) {
        sv.metrics().connections(transport.name()).increment();
        sv.metrics().connectionsTotal.increment();
        long last = query.to().map(t -> Math.max(query.from(), t - 1)).orElse(now + Channels.HOUR_MS);
        for (long h : Channels.hours(query.from(), last)) channels.put(h, Channels.channel(query.tenant(), query.spec(), h));
        sv.router().join(this);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (String ch : channels.values()) {
            sv.router().add(this, ch);
            acks.add(sv.hub().acquire(ch));
        }
        channel.closeFuture().addListener(f -> loop.execute(this::close));
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .whenComplete((ok, err) -> loop.execute(() -> beginSync(err)));
    }

    private void beginSync(Throwable subscribeError) {
        if (state == State.CLOSED) return;
        if (subscribeError != null) {
            fail("subscription failed");
            return;
        }
        state = State.SYNCING;
        buffer = new ArrayList<>();
        bufferOverflow = false;
        List<String> names = new ArrayList<>(channels.values());
        if (resumeFrom != null) {
            Cursor c = resumeFrom;
            resumeFrom = null;
            Map<String, StreamId> from = new HashMap<>();
            if (!c.spec().equals(query.spec())) {
                syncEvent = "resync";
                resyncReason = "last event id of another spec";
                snapshot(names);
                return;
            }
            long maxHour = c.positions().isEmpty() ? Long.MIN_VALUE : c.positions().lastKey();
            for (Map.Entry<Long, String> e : channels.entrySet()) {
                StreamId p = c.positions().get(e.getKey());
                if (p != null) {
                    from.put(e.getValue(), p);
                } else if (e.getKey() <= maxHour) {
                    syncEvent = "resync"; // an older hour than the cursor knows: it cannot be replayed
                    resyncReason = "range not covered by the last event id";
                    snapshot(names);
                    return;
                }
            }
            sv.snapshots().submit(() -> sv.snapshots().resume(names, from, c.base()))
                    .whenComplete((r, err) -> loop.execute(() -> onReplay(r, err, names, from)));
        } else {
            snapshot(names);
        }
    }

    private void snapshot(List<String> names) {
        sv.snapshots().submit(() -> sv.snapshots().read(query, names))
                .whenComplete((s, err) -> loop.execute(() -> onSnapshot(s, err, names)));
    }

    /**
     * Retries a failed read a few times (a store or Redis restart) before giving up on the client. A
     * read the full pool refused (a burst of resyncs, e.g. after a Redis reconnect) is retried with
     * exponential backoff and jitter, so the burst spreads out instead of every session retrying at once.
     */
    private boolean retry(Throwable err, List<String> names) {
        long delayMs;
        if (SnapshotService.rejected(err)) {
            if (++busyRetries > MAX_BUSY_RETRIES) return false;
            long base = Math.min(4_000L, 250L << (busyRetries - 1));
            delayMs = base + java.util.concurrent.ThreadLocalRandom.current().nextLong(base);
            LOG.debug("snapshot pool full; retry {} of {} in {} ms", busyRetries, MAX_BUSY_RETRIES, delayMs);
        } else {
            if (++failures > MAX_RETRIES) return false;
            delayMs = 500L * failures;
            LOG.info("snapshot read failed ({}); retry {} of {}", err.toString(), failures, MAX_RETRIES);
        }
        loop.schedule(() -> {
            if (state == State.SYNCING) {
                buffer = new ArrayList<>();
                bufferOverflow = false;
                snapshot(names);
            }
        }, delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        return true;
    }

    private void onReplay(Replay r, Throwable err, List<String> names, Map<String, StreamId> from) {
        if (state == State.CLOSED) return;
        if (err != null) {
            syncEvent = "resync"; // a fresh snapshot instead of the replay
            resyncReason = "resume failed";
            if (retry(err, names)) return;
            if (SnapshotService.rejected(err)) {
                fail("server busy");
                return;
            }
            LOG.warn("resume failed: {}", err.toString());
            fail("resume failed");
            return;
        }
        if (r.gap()) {
            syncEvent = "resync";
            resyncReason = r.reason();
            snapshot(names);
            return;
        }
        sv.metrics().resumes.increment();
        busyRetries = 0;
        cursorBase = r.redisTime();
        for (String ch : names) positions.put(ch, from.getOrDefault(ch, StreamId.ZERO)); // replayed entries advance them
        state = State.LIVE;
        for (DeltaMessage m : r.entries()) sendIfNew(m);
        drainBuffer();
    }

    private void onSnapshot(Snapshot s, Throwable err, List<String> names) {
        if (state == State.CLOSED) return;
        if (err != null) {
            if (retry(err, names)) return;
            if (SnapshotService.rejected(err)) {
                fail("server busy");
                return;
            }
            LOG.warn("snapshot failed: {}", err.toString());
            fail("snapshot failed");
            return;
        }
        failures = 0;
        busyRetries = 0;
        cursorBase = s.redisTime();
        positions.clear();
        positions.putAll(s.positions());
        versions.clear();
        versions.putAll(s.versions());
        byte[] json;
        try {
            json = SnapshotEnvelope.encode(query, s.rows(), syncEvent.equals("resync") ? resyncReason : null);
        } catch (RuntimeException e) {
            fail("snapshot encoding failed");
            return;
        }
        String event = syncEvent;
        syncEvent = "snapshot";
        state = State.LIVE;
        enqueue(transport.frame(event, cursorId(), json), true);
        drainBuffer();
    }

    private void drainBuffer() {
        List<DeltaMessage> held = buffer;
        boolean overflow = bufferOverflow;
        buffer = new ArrayList<>();
        bufferOverflow = false;
        if (overflow) {
            resync("buffer overflow during snapshot");
            return;
        }
        for (DeltaMessage m : held) sendIfNew(m);
    }

    /** A delta for one of this session's channels. */
    void onDelta(DeltaMessage m) {
        switch (state) {
            case SUBSCRIBING, CLOSED -> { }
            case SYNCING -> {
                if (bufferOverflow) return;
                if (buffer.size() >= sv.maxPending()) {
                    bufferOverflow = true;
                    buffer = new ArrayList<>();
                } else {
                    buffer.add(m);
                }
            }
            case LIVE -> sendIfNew(m);
        }
    }

    private void sendIfNew(DeltaMessage m) {
        StreamId pos = positions.get(m.channel());
        if (pos == null) return; // not (or no longer) one of ours
        if (!m.streamId().isAfter(pos)) return; // covered by the snapshot or already sent
        positions.put(m.channel(), m.streamId());
        if (!query.covers(m.eventType(), m.windowStart())) return;
        String key = m.windowKey();
        Long held = versions.get(key);
        if (held != null && m.version() <= held) return;
        versions.put(key, m.version());
        if (enqueue(transport.frame("delta", cursorId(), m.json()), false)) sv.metrics().messagesOut.increment();
    }

    /** The event id: {@link Cursor} text of the current positions (hour names cached; this runs per client per delta). */
    private String cursorId() {
        StringBuilder sb = new StringBuilder(40 + channels.size() * 36).append(query.spec()).append('~').append(cursorBase).append('~');
        boolean first = true;
        for (Map.Entry<Long, String> e : channels.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(hourNames.computeIfAbsent(e.getKey(), Channels::hourName)).append(':');
            StreamId id = positions.getOrDefault(e.getValue(), StreamId.ZERO);
            if (id.equals(StreamId.ZERO)) sb.append('0');
            else sb.append(id.ms()).append('-').append(Long.toUnsignedString(id.seq()));
        }
        return sb.toString();
    }

    /** Writes or queues {@code frame}; returns false when it was dropped. */
    private boolean enqueue(Object frame, boolean force) {
        if (state == State.CLOSED || (resyncPending && !force)) {
            ReferenceCountUtil.release(frame);
            if (state != State.CLOSED) sv.metrics().drops.increment();
            return false;
        }
        if (pending.isEmpty() && channel.isWritable()) {
            channel.writeAndFlush(frame, channel.voidPromise());
            lastSend = System.currentTimeMillis();
            return true;
        }
        if (unwritableSince == 0) unwritableSince = System.currentTimeMillis();
        if (!force && pending.size() >= sv.maxPending()) {
            sv.metrics().drops.add(pending.size() + 1L);
            ReferenceCountUtil.release(frame);
            Object o;
            while ((o = pending.poll()) != null) ReferenceCountUtil.release(o);
            resyncPending = true; // the resync goes out once the socket drains
            return false;
        }
        pending.add(frame);
        return true;
    }

    /** The socket's writability changed. */
    public void onWritabilityChanged() {
        if (state == State.CLOSED || !channel.isWritable()) return;
        Object o;
        boolean wrote = false;
        while (channel.isWritable() && (o = pending.poll()) != null) {
            channel.write(o, channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
            lastSend = System.currentTimeMillis();
        }
        if (pending.isEmpty() && channel.isWritable()) {
            unwritableSince = 0;
            if (resyncPending && state == State.LIVE) {
                resyncPending = false;
                resync("client too slow: queue overflow");
            }
        }
    }

    /** Starts a fresh snapshot, sent as event {@code resync}. */
    void resync(String reason) {
        if (state == State.CLOSED || state == State.SUBSCRIBING) return; // a sync is about to start anyway
        if (state == State.SYNCING) {
            bufferOverflow = true; // the sync under way is followed by a fresh one (drainBuffer)
            return;
        }
        sv.metrics().resyncs.increment();
        syncEvent = "resync";
        resyncReason = reason;
        state = State.SUBSCRIBING;
        sv.hub().ready(channels.values()).whenComplete((ok, err) -> loop.execute(() -> beginSync(err)));
    }

    /** Periodic (per loop): token expiry, stall check, ping, next hour's channel for open-ended queries. */
    void tick(long now) {
        if (state == State.CLOSED) return;
        if (now >= expiresAt) {
            expire();
            return;
        }
        if (unwritableSince != 0 && !channel.isWritable() && now - unwritableSince >= sv.maxStallMs()) {
            LOG.debug("closing a client unwritable for {} ms", now - unwritableSince);
            sv.metrics().slowDisconnects.increment();
            channel.close();
            return;
        }
        if (now - lastSend >= sv.pingMs() && pending.isEmpty() && channel.isWritable()) {
            channel.writeAndFlush(transport.ping(), channel.voidPromise());
            lastSend = now;
        }
        if (query.to().isEmpty()) {
            long next = Channels.hourOf(now) + 1;
            if (!channels.containsKey(next)) {
                String ch = Channels.channel(query.tenant(), query.spec(), next);
                channels.put(next, ch);
                positions.put(ch, StreamId.ZERO);
                sv.router().add(this, ch);
                sv.hub().acquire(ch);
            }
        }
    }

    /** The token expired: a last frame saying so (SSE error event, WebSocket close 1008), then the connection is closed. */
    private void expire() {
        sv.metrics().expiredDisconnects.increment();
        cleanUp();
        if (!channel.isWritable()) { // a stuck client would hold the last frame, and the connection, forever
            channel.close();
            return;
        }
        channel.writeAndFlush(transport.expired()).addListener(ChannelFutureListener.CLOSE);
    }

    private void fail(String reason) {
        if (state == State.CLOSED) return;
        byte[] json = ("{\"error\":\"" + reason + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        cleanUp();
        channel.writeAndFlush(transport.frame("error", null, json)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Leaves the channels, frees the queue and closes the connection; idempotent. On the loop. */
    public void close() {
        if (state == State.CLOSED) return;
        cleanUp();
        if (channel.isActive()) channel.close();
    }

    private void cleanUp() {
        state = State.CLOSED;
        sv.router().leave(this, channels.values());
        for (String ch : channels.values()) sv.hub().release(ch);
        Object o;
        while ((o = pending.poll()) != null) ReferenceCountUtil.release(o);
        buffer = List.of();
        sv.metrics().connections(transport.name()).decrement();
    }
}
