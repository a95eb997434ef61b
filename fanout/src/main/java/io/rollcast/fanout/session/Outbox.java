package io.rollcast.fanout.session;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.rollcast.fanout.metrics.Metrics;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * A session's bounded outgoing queue. Frames go straight to the socket while it is writable; otherwise
 * they queue, at most {@code client.max-pending}. On overflow the queue is dropped and the overflow
 * remembered, so that the session sends a resync once the socket drains; until then only forced frames
 * (a snapshot) are taken. On the session's event loop.
 */
final class Outbox {
    private final Channel channel;
    private final Metrics metrics;
    private final int maxPending;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private boolean closed;
    private boolean overflowed;
    private long unwritableSince;
    private long lastSend = System.currentTimeMillis();

    Outbox(Channel channel, Metrics metrics, int maxPending) {
        this.channel = channel;
        this.metrics = metrics;
        this.maxPending = maxPending;
    }

    /** Writes or queues {@code frame} ({@code force}: past the limit and after an overflow too); returns false when it was dropped. */
    boolean offer(Object frame, boolean force) {
        if (closed || (overflowed && !force)) {
            ReferenceCountUtil.release(frame);
            if (!closed) metrics.drops.increment();
            return false;
        }
        if (pending.isEmpty() && channel.isWritable()) {
            channel.writeAndFlush(frame, channel.voidPromise());
            lastSend = System.currentTimeMillis();
            return true;
        }
        if (unwritableSince == 0) unwritableSince = System.currentTimeMillis();
        if (!force && pending.size() >= maxPending) {
            metrics.drops.add(pending.size() + 1L);
            ReferenceCountUtil.release(frame);
            releaseAll();
            overflowed = true; // the resync goes out once the socket drains
            return false;
        }
        pending.add(frame);
        return true;
    }

    /** Writes what the socket takes now; true when the queue is empty and the socket writable. */
    boolean drain() {
        if (closed || !channel.isWritable()) return false;
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
            return true;
        }
        return false;
    }

    /** Whether an overflow dropped the queue since the last call: the client is owed a resync. */
    boolean takeOverflow() {
        boolean was = overflowed;
        overflowed = false;
        return was;
    }

    /** Whether the socket has stayed unwritable, with frames waiting, for {@code maxStallMs} by {@code now}. */
    boolean stalled(long now, long maxStallMs) {
        return unwritableSince != 0 && !channel.isWritable() && now - unwritableSince >= maxStallMs;
    }

    /** Since when the socket is unwritable with frames waiting (epoch ms; 0: it is not). */
    long unwritableSince() {
        return unwritableSince;
    }

    /** Sends {@code ping} when nothing was sent for {@code pingMs} and nothing waits. */
    void pingIfIdle(long now, long pingMs, Supplier<Object> ping) {
        if (now - lastSend >= pingMs && pending.isEmpty() && channel.isWritable()) {
            channel.writeAndFlush(ping.get(), channel.voidPromise());
            lastSend = now;
        }
    }

    /** Frees the queue; later frames are dropped (and released). */
    void close() {
        closed = true;
        releaseAll();
    }

    private void releaseAll() {
        Object o;
        while ((o = pending.poll()) != null) ReferenceCountUtil.release(o);
    }
}
