package io.rollcast.fanout.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.fanout.redis.ChannelHub;
import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.Replay;
import io.rollcast.fanout.snapshot.Snapshot;
import io.rollcast.fanout.snapshot.SnapshotEnvelope;
import io.rollcast.fanout.snapshot.SnapshotService;
import io.rollcast.fanout.snapshot.StreamQuery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming client and its sync state machine. Every method runs on the client's event loop. The
 * session keeps its query's {@link HourChannels}, what its client has ({@link Progress}), the deltas
 * held during a sync ({@link SyncBuffer}) and its bounded queue ({@link Outbox}).
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
    public record Services(
            ChannelHub hub,
            SnapshotService snapshots,
            Router router,
            Metrics metrics,
            int maxPending,
            long maxStallMs,
            long pingMs) {}

    private enum State {
        SUBSCRIBING,
        SYNCING,
        LIVE,
        CLOSED
    }

    private final Services sv;
    private final Transport transport;
    private final Channel channel;
    private final EventLoop loop;
    private final StreamQuery query;
    private StreamQuery current; // the query with its range start now (a live range slides)
    private final long expiresAt;
    private final HourChannels channels;
    private final Progress progress = new Progress();
    private final SyncBuffer buffer;
    private final Outbox outbox;
    private final Retries retries = new Retries();
    private State state = State.SUBSCRIBING;
    private Cursor resumeFrom;
    private String syncEvent = "snapshot";
    private String resyncReason;
    private long cursorBase;

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
        this.current = query;
        this.resumeFrom = resumeFrom;
        this.expiresAt = expiresAt;
        this.channels = new HourChannels(query);
        this.buffer = new SyncBuffer(sv.maxPending());
        this.outbox = new Outbox(channel, sv.metrics(), sv.maxPending());
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
        channels.open(now);
        current = channels.current(now);
        sv.router().join(this);
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (String ch : channels.names()) {
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
        buffer.reset();
        List<String> names = new ArrayList<>(channels.names());
        if (resumeFrom == null) {
            snapshot(names);
            return;
        }
        Cursor c = resumeFrom;
        resumeFrom = null;
        if (!c.spec().equals(query.spec())) {
            snapshot(names, "last event id of another spec");
            return;
        }
        Map<String, StreamId> from = channels.resumePositions(c);
        if (from == null) {
            snapshot(
                    names,
                    "range not covered by the last event id"); // an older hour than the cursor knows: it cannot be
            // replayed
            return;
        }
        sv.snapshots()
                .submit(query.tenant(), () -> sv.snapshots().resume(names, from, c.base()))
                .whenComplete((r, err) -> loop.execute(() -> onReplay(r, err, names, from)));
    }

    /** Reads a snapshot to be sent as a {@code resync} for {@code reason}. */
    private void snapshot(List<String> names, String reason) {
        syncEvent = "resync";
        resyncReason = reason;
        snapshot(names);
    }

    private void snapshot(List<String> names) {
        StreamQuery q = current; // bounded by the range now, whatever the session's age
        sv.snapshots()
                .submit(q.tenant(), () -> sv.snapshots().read(q, names))
                .whenComplete((s, err) -> loop.execute(() -> onSnapshot(s, err)));
    }

    /** Schedules another snapshot read after a failed one, unless the tries are used up (false). */
    private boolean retry(Throwable err) {
        long delayMs = retries.next(err);
        if (delayMs < 0) return false;
        loop.schedule(
                () -> {
                    if (state == State.SYNCING) {
                        buffer.reset();
                        snapshot(new ArrayList<>(channels.names())); // the channels held then
                    }
                },
                delayMs,
                TimeUnit.MILLISECONDS);
        return true;
    }

    /** Ends the client after a read that failed for good. */
    private void readFailed(Throwable err, String what) {
        if (SnapshotService.rejected(err)) {
            fail("server busy");
            return;
        }
        LOG.warn("{} failed: {}", what, err.toString());
        fail(what + " failed");
    }

    private void onReplay(Replay r, Throwable err, List<String> names, Map<String, StreamId> from) {
        if (state == State.CLOSED) return;
        if (err != null) {
            syncEvent = "resync"; // a fresh snapshot instead of the replay
            resyncReason = "resume failed";
            if (!retry(err)) readFailed(err, "resume");
            return;
        }
        if (r.gap()) {
            snapshot(new ArrayList<>(channels.names()), r.reason());
            return;
        }
        sv.metrics().resumes.increment();
        retries.admitted();
        cursorBase = r.redisTime();
        progress.resume(names.stream().filter(channels::contains).toList(), from); // replayed entries advance them
        state = State.LIVE;
        for (DeltaMessage m : r.entries()) sendIfNew(m);
        drainBuffer();
    }

    private void onSnapshot(Snapshot s, Throwable err) {
        if (state == State.CLOSED) return;
        if (err != null) {
            if (!retry(err)) readFailed(err, "snapshot");
            return;
        }
        retries.succeeded();
        cursorBase = s.redisTime();
        progress.snapshot(s.positions(), s.versions(), channels.names()); // channels held now, not at the read
        byte[] json;
        try {
            json = SnapshotEnvelope.encode(current, s.rows(), syncEvent.equals("resync") ? resyncReason : null);
        } catch (RuntimeException e) {
            fail("snapshot encoding failed");
            return;
        }
        String event = syncEvent;
        syncEvent = "snapshot";
        state = State.LIVE;
        outbox.offer(transport.frame(event, cursorId(), json), true);
        drainBuffer();
    }

    private void drainBuffer() {
        List<DeltaMessage> held = buffer.take();
        if (held == null) {
            resync("buffer overflow during snapshot");
            return;
        }
        for (DeltaMessage m : held) sendIfNew(m);
    }

    /** A delta for one of this session's channels. */
    void onDelta(DeltaMessage m) {
        if (m.gap()) {
            onGap(m);
            return;
        }
        switch (state) {
            case SUBSCRIBING, CLOSED -> {}
            case SYNCING -> buffer.add(m);
            case LIVE -> sendIfNew(m);
        }
    }

    /**
     * A gap marker: the job dropped deltas of {@code m}'s channel, so the client may hold stale values.
     * Unless what the client has already covers the marker (a snapshot read after it), it gets a resync
     * from the store; one under way is followed by a fresh one.
     */
    private void onGap(DeltaMessage m) {
        if (state == State.LIVE) {
            StreamId pos = progress.positions().get(m.channel());
            if (pos == null || !m.streamId().isAfter(pos)) return;
            sv.metrics().gaps.increment();
            resync("deltas lost upstream on " + m.channel());
        } else if (state == State.SYNCING) {
            sv.metrics().gaps.increment();
            buffer.overflow();
        }
    }

    private void sendIfNew(DeltaMessage m) {
        if (!progress.accept(m, current)) return;
        if (outbox.offer(transport.frame("delta", cursorId(), m.json()), false))
            sv.metrics().messagesOut.increment();
    }

    /** The event id: {@link Cursor} text of the current positions. */
    private String cursorId() {
        return channels.cursor(cursorBase, progress.positions());
    }

    /** The socket's writability changed. */
    public void onWritabilityChanged() {
        if (state == State.CLOSED) return;
        if (outbox.drain() && state == State.LIVE && outbox.takeOverflow()) resync("client too slow: queue overflow");
    }

    /** Starts a fresh snapshot, sent as event {@code resync}. */
    void resync(String reason) {
        if (state == State.CLOSED || state == State.SUBSCRIBING) return; // a sync is about to start anyway
        if (state == State.SYNCING) {
            buffer.overflow(); // the sync under way is followed by a fresh one (drainBuffer)
            return;
        }
        sv.metrics().resyncs.increment();
        syncEvent = "resync";
        resyncReason = reason;
        state = State.SUBSCRIBING;
        sv.hub().ready(channels.names()).whenComplete((ok, err) -> loop.execute(() -> beginSync(err)));
    }

    /** Periodic (per loop): token expiry, stall check, ping, next hour's channel for open-ended queries. */
    void tick(long now) {
        if (state == State.CLOSED) return;
        if (now >= expiresAt) {
            expire();
            return;
        }
        if (outbox.stalled(now, sv.maxStallMs())) {
            LOG.debug("closing a client unwritable for {} ms", now - outbox.unwritableSince());
            sv.metrics().slowDisconnects.increment();
            channel.close();
            return;
        }
        outbox.pingIfIdle(now, sv.pingMs(), transport::ping);
        HourChannels.Change change = channels.rollover(now);
        if (change.isEmpty()) return;
        current = channels.current(now);
        for (String ch : change.added()) {
            progress.add(ch);
            sv.router().add(this, ch);
            sv.hub().acquire(ch);
        }
        change.dropped().forEach((ch, hour) -> {
            progress.drop(ch, hour);
            sv.router().remove(this, ch);
            sv.hub().release(ch);
        });
    }

    /** What this session holds: channels, windows with a version, and the length of its event id. */
    Footprint footprint() {
        return new Footprint(channels.size(), progress.windows(), cursorId().length());
    }

    /** The per-session state that could grow: for tests and the memory bound in docs/fanout.md. */
    public record Footprint(int channels, int windows, int cursorChars) {}

    /** The token expired: a last frame saying so (SSE expired event, WebSocket close 4001), then the connection is closed. */
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
        byte[] json = ("{\"error\":\"" + reason + "\"}").getBytes(StandardCharsets.UTF_8);
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
        sv.router().leave(this, channels.names());
        for (String ch : channels.names()) sv.hub().release(ch);
        outbox.close();
        buffer.clear();
        sv.metrics().connections(transport.name()).decrement();
    }
}
