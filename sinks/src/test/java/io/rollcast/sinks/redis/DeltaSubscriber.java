package io.rollcast.sinks.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * A real Redis subscriber for tests and benchmarks: PSUBSCRIBE (or SUBSCRIBE) on its own thread,
 * reconnecting after a failure, recording every message with its arrival time.
 */
public final class DeltaSubscriber implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One received message; {@code epoch} counts the (re)subscriptions before it. */
    public record Received(String channel, String message, long receivedAtMs, long receivedNanos, int epoch) {
        public JsonNode json() {
            return parse(message);
        }
    }

    private final URI uri;
    private final String target;
    private final boolean pattern;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Thread thread;
    private volatile long lastSubscribedAtMs;
    private volatile boolean closed;
    private volatile JedisPubSub current;

    private DeltaSubscriber(URI uri, String target, boolean pattern) {
        this.uri = uri;
        this.target = target;
        this.pattern = pattern;
        this.thread = new Thread(this::run, "delta-subscriber-" + target);
        thread.setDaemon(true);
        thread.start();
    }

    /** Subscribes to a pattern such as {@code rollcast:*} and waits until the subscription is active. */
    public static DeltaSubscriber pattern(URI uri, String pattern) throws InterruptedException {
        DeltaSubscriber s = new DeltaSubscriber(uri, pattern, true);
        s.awaitSubscriptions(1, Duration.ofSeconds(10));
        return s;
    }

    /** Subscribes to one channel and waits until the subscription is active. */
    public static DeltaSubscriber channel(URI uri, String channel) throws InterruptedException {
        DeltaSubscriber s = new DeltaSubscriber(uri, channel, false);
        s.awaitSubscriptions(1, Duration.ofSeconds(10));
        return s;
    }

    private void run() {
        while (!closed) {
            JedisPubSub sub = new JedisPubSub() {
                @Override
                public void onPMessage(String p, String channel, String message) {
                    record(channel, message);
                }

                @Override
                public void onMessage(String channel, String message) {
                    record(channel, message);
                }

                @Override
                public void onPSubscribe(String p, int count) {
                    subscribed();
                }

                @Override
                public void onSubscribe(String channel, int count) {
                    subscribed();
                }
            };
            current = sub;
            try (Jedis j = new Jedis(uri)) {
                if (pattern) j.psubscribe(sub, target);
                else j.subscribe(sub, target);
            } catch (RuntimeException e) {
                if (closed) return;
                try {
                    Thread.sleep(50); // Redis is down: try again
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void record(String channel, String message) {
        received.add(
                new Received(channel, message, System.currentTimeMillis(), System.nanoTime(), subscriptions.get()));
    }

    private void subscribed() {
        lastSubscribedAtMs = System.currentTimeMillis();
        subscriptions.incrementAndGet();
    }

    /** How many times the subscription became active (1 + reconnects). */
    public int subscriptions() {
        return subscriptions.get();
    }

    public long lastSubscribedAtMs() {
        return lastSubscribedAtMs;
    }

    public void awaitSubscriptions(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (subscriptions.get() < n) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("no subscription to " + target + " within " + timeout);
            Thread.sleep(10);
        }
    }

    /** A snapshot of everything received so far, in arrival order. */
    public List<Received> messages() {
        return new ArrayList<>(received);
    }

    public int count() {
        return received.size();
    }

    /** Forgets what was received so far. */
    public void clear() {
        received.clear();
    }

    /** Waits until at least {@code n} messages arrived, or {@code timeout} passed. */
    public void awaitCount(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < n && System.nanoTime() < deadline) Thread.sleep(5);
    }

    /** Waits until nothing arrived for {@code quiet}, or {@code max} passed. */
    public void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        int last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int n = received.size();
            if (n != last) {
                last = n;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= quiet.toNanos()) {
                return;
            }
            Thread.sleep(10);
        }
    }

    public static JsonNode parse(String message) {
        try {
            return JSON.readTree(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        JedisPubSub sub = current;
        try {
            if (sub != null && sub.isSubscribed()) {
                if (pattern) sub.punsubscribe();
                else sub.unsubscribe();
            }
        } catch (RuntimeException ignored) {
            // the connection is already gone
        }
        thread.interrupt();
        thread.join(5_000);
    }
}
