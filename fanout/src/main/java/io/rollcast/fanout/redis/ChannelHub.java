package io.rollcast.fanout.redis;

import io.rollcast.fanout.metrics.Metrics;
import io.rollcast.model.Channels;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * One Redis pub/sub connection shared by every client of this process: one {@code SUBSCRIBE} per
 * channel, reference-counted, dropped when the last local client leaves.
 *
 * <p>A dedicated thread owns the connection and reads messages; each message is parsed once and
 * handed to the {@link Listener}, which routes it to the Netty event loops. {@link #acquire} returns
 * a future completed when Redis has confirmed the subscription: only then may a client read its
 * snapshot (subscribe first, then read, so nothing published in between is missed). If the
 * connection drops, the thread reconnects with backoff, subscribes every channel again and tells
 * the listener, whose clients must then resync (pub/sub loses what was published meanwhile). A ping
 * every 10 s detects a dead connection.
 */
public final class ChannelHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelHub.class);
    private static final long PING_MS = 10_000;

    /** Receives parsed messages (on the hub thread) and connection events. */
    public interface Listener {
        void onDelta(DeltaMessage message);

        /** The connection was lost and is back: every channel is subscribed again; clients must resync. */
        void onReconnected();
    }

    /** Subscription state of one channel. Guarded by the hub. */
    private static final class Sub {
        int refs;
        int sent;
        int confirmed;
        CompletableFuture<Void> ready = new CompletableFuture<>();
    }

    private final URI uri;
    private final Listener listener;
    private final Metrics metrics;
    private final byte[] control;
    private final Map<String, Sub> subs = new HashMap<>();
    private final Thread thread;
    private final ScheduledExecutorService pinger;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    private Pubsub pubsub; // the connected one, or null
    private Jedis connection;
    private volatile boolean closed;
    private volatile long lastPong = System.currentTimeMillis();

    public ChannelHub(URI uri, Listener listener, Metrics metrics) {
        this.uri = uri;
        this.listener = listener;
        this.metrics = metrics;
        this.control = ("rollcast-fanout:control:" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        this.thread = new Thread(this::run, "redis-subscriber");
        this.thread.setDaemon(true);
        this.pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "redis-subscriber-ping");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the subscriber thread and waits up to {@code timeoutMs} for the first connection. */
    public void start(long timeoutMs) {
        // load what message handling needs now: a process at its open-file limit cannot load classes later
        DeltaMessage.parse(
                "warm-up",
                "{\"event_type\":\"t\",\"window_start\":0,\"version\":1,\"stream_id\":\"1-0\"}"
                        .getBytes(StandardCharsets.UTF_8),
                null);
        Channels.hourName(Channels.hourOf(System.currentTimeMillis()));
        java.time.ZoneId.systemDefault().getRules();
        thread.start();
        pinger.scheduleWithFixedDelay(this::ping, PING_MS, PING_MS, TimeUnit.MILLISECONDS);
        try {
            firstConnect.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException(
                    "cannot subscribe to Redis at " + safe(uri) + " within " + timeoutMs + " ms", e);
        }
    }

    private static String safe(URI u) {
        return u.getUserInfo() == null ? u.toString() : u.toString().replace(u.getRawUserInfo() + "@", "***@");
    }

    /** Adds a reference to {@code channel}; the future completes once Redis confirmed the subscription. */
    public synchronized CompletableFuture<Void> acquire(String channel) {
        Sub s = subs.computeIfAbsent(channel, c -> new Sub());
        if (s.refs++ == 0) {
            if (s.ready.isDone()) s.ready = new CompletableFuture<>();
            metrics.subscriptions.increment();
            send(s, channel);
        }
        return s.ready;
    }

    /** The future of an acquired channel's current subscription (a new one after a reconnect). */
    public synchronized CompletableFuture<Void> ready(Collection<String> channels) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String c : channels) {
            Sub s = subs.get(c);
            if (s != null) all.add(s.ready);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Drops a reference; the last one unsubscribes. */
    public synchronized void release(String channel) {
        Sub s = subs.get(channel);
        if (s == null || s.refs == 0) return;
        if (--s.refs == 0) {
            metrics.subscriptions.decrement();
            if (pubsub != null) {
                try {
                    pubsub.unsubscribe(bytes(channel));
                } catch (RuntimeException e) {
                    LOG.debug("unsubscribe {} failed: {}", channel, e.toString());
                }
            }
            if (s.sent == s.confirmed) subs.remove(channel);
        }
    }

    /** Whether the pub/sub connection is up. */
    public synchronized boolean connected() {
        return pubsub != null;
    }

    /** Channels with at least one local client. */
    public synchronized int channelCount() {
        return (int) subs.values().stream().filter(s -> s.refs > 0).count();
    }

    private void send(Sub s, String channel) {
        if (pubsub == null) return; // subscribed on (re)connect
        try {
            s.sent++;
            pubsub.subscribe(bytes(channel));
        } catch (RuntimeException e) {
            s.sent--;
            LOG.warn("subscribe {} failed ({}); it is retried on reconnect", channel, e.toString());
            dropConnection();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void ping() {
        synchronized (this) {
            if (pubsub == null) return;
            if (System.currentTimeMillis() - lastPong > 3 * PING_MS) {
                LOG.warn(
                        "Redis pub/sub connection silent for {} ms; reconnecting",
                        System.currentTimeMillis() - lastPong);
                dropConnection();
                return;
            }
            try {
                pubsub.ping();
            } catch (RuntimeException e) {
                dropConnection();
            }
        }
    }

    private synchronized void dropConnection() {
        if (connection != null) {
            try {
                connection.disconnect();
            } catch (RuntimeException ignored) {
                // the reader thread sees the failure and reconnects
            }
        }
    }

    private void run() {
        long backoff = 100;
        boolean everConnected = false;
        while (!closed) {
            try (Jedis j = new Jedis(RedisClients.address(uri), RedisClients.config(uri, 0))) {
                Pubsub ps = new Pubsub();
                synchronized (this) {
                    connection = j;
                }
                lastPong = System.currentTimeMillis();
                j.subscribe(ps, control); // blocks until unsubscribed or the connection fails
            } catch (RuntimeException e) {
                if (closed) break;
                LOG.warn(
                        "Redis pub/sub connection to {} failed: {}; retrying in {} ms",
                        safe(uri),
                        e.toString(),
                        backoff);
            }
            boolean wasConnected;
            synchronized (this) {
                wasConnected = pubsub != null;
                pubsub = null;
                connection = null;
                subs.values().removeIf(s -> s.refs == 0);
                for (Sub s : subs.values()) {
                    s.sent = 0;
                    s.confirmed = 0;
                    if (s.ready.isDone()) s.ready = new CompletableFuture<>();
                }
            }
            if (wasConnected) {
                metrics.redisReconnects.increment();
                backoff = 100;
            }
            if (closed) break;
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(3_000, backoff * 2);
        }
    }

    /** Callbacks on the subscriber thread. */
    private final class Pubsub extends BinaryJedisPubSub {
        private boolean reconnect;

        @Override
        public void onSubscribe(byte[] channel, int count) {
            if (java.util.Arrays.equals(channel, control)) {
                List<String> all;
                synchronized (ChannelHub.this) {
                    reconnect = firstConnect.isDone();
                    pubsub = this;
                    all = new ArrayList<>(subs.keySet());
                    for (String c : all) {
                        Sub s = subs.get(c);
                        s.sent++;
                    }
                    if (!all.isEmpty())
                        subscribe(all.stream().map(ChannelHub::bytes).toArray(byte[][]::new));
                }
                firstConnect.complete(null);
                if (reconnect) {
                    LOG.info("Redis pub/sub reconnected; {} channels subscribed again", all.size());
                    listener.onReconnected();
                }
                return;
            }
            String name = new String(channel, StandardCharsets.UTF_8);
            synchronized (ChannelHub.this) {
                Sub s = subs.get(name);
                if (s == null) return;
                s.confirmed++;
                if (s.confirmed == s.sent) {
                    if (s.refs > 0) s.ready.complete(null);
                    else subs.remove(name);
                }
            }
        }

        @Override
        public void onUnsubscribe(byte[] channel, int count) {
            String name = new String(channel, StandardCharsets.UTF_8);
            synchronized (ChannelHub.this) {
                Sub s = subs.get(name);
                if (s != null && s.refs == 0 && s.sent == s.confirmed) subs.remove(name);
            }
        }

        @Override
        public void onMessage(byte[] channel, byte[] message) {
            metrics.messagesIn.increment();
            DeltaMessage m;
            try {
                m = DeltaMessage.parse(new String(channel, StandardCharsets.UTF_8), message, null);
            } catch (IllegalArgumentException e) {
                metrics.badMessages.increment();
                LOG.debug(
                        "dropped a bad message on {}: {}", new String(channel, StandardCharsets.UTF_8), e.getMessage());
                return;
            }
            try {
                listener.onDelta(m);
            } catch (RuntimeException e) {
                LOG.warn("delta dispatch failed", e);
            }
        }

        @Override
        public void onPong(byte[] pattern) {
            lastPong = System.currentTimeMillis();
        }
    }

    @Override
    public void close() {
        closed = true;
        pinger.shutdownNow();
        synchronized (this) {
            if (pubsub != null) {
                try {
                    pubsub.unsubscribe();
                } catch (RuntimeException ignored) {
                    // closing anyway
                }
            }
        }
        dropConnection();
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
