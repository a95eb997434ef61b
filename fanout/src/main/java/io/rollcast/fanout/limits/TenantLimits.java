package io.rollcast.fanout.limits;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-tenant admission of new connections: at most {@code tenant.connections-per-second} new stream or
 * snapshot requests per second (a token bucket holding one second's worth, so short bursts pass) and
 * at most {@code tenant.max-streams} open streams. A refusal carries how long to wait
 * ({@code Retry-After}). 0 turns a limit off. Thread-safe; an entry per tenant that has a valid token
 * and a stream or a recent request, dropped when idle.
 */
public final class TenantLimits {
    /** Seconds a client refused for too many open streams is told to wait: a slot frees when one ends. */
    public static final int STREAMS_RETRY_AFTER_S = 5;

    /** A refusal: what was exceeded and the seconds to wait. */
    public static final class Limited extends Exception {
        private static final long serialVersionUID = 1L;
        private final int retryAfterSeconds;

        Limited(String message, int retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    private final int maxStreams;
    private final int perSecond;
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> streams = new ConcurrentHashMap<>();

    public TenantLimits(int maxStreams, int connectionsPerSecond, Clock clock) {
        this.maxStreams = maxStreams;
        this.perSecond = connectionsPerSecond;
        this.clock = clock;
    }

    /** Takes one token of {@code tenant}'s connection rate, or refuses with the seconds until one is back. */
    public void admit(String tenant) throws Limited {
        if (perSecond <= 0) return;
        long now = clock.millis();
        if (buckets.size() > 10_000) buckets.values().removeIf(b -> now - b.at > 1_000); // idle ones are full anyway
        Bucket b = buckets.computeIfAbsent(tenant, t -> new Bucket(perSecond, now));
        synchronized (b) {
            b.tokens = Math.min(perSecond, b.tokens + (now - b.at) * perSecond / 1000.0);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return;
            }
            int wait = (int) Math.ceil((1 - b.tokens) / perSecond);
            throw new Limited(
                    "too many new connections for this tenant (tenant.connections-per-second " + perSecond + ")",
                    Math.max(1, wait));
        }
    }

    /**
     * Takes one of {@code tenant}'s stream slots, or refuses; run the returned action (idempotent) when
     * the stream ends.
     */
    public Runnable openStream(String tenant) throws Limited {
        if (maxStreams <= 0) return () -> {};
        boolean[] ok = {false};
        streams.compute(tenant, (t, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxStreams) return n;
            ok[0] = true;
            return held + 1;
        });
        if (!ok[0])
            throw new Limited(
                    "too many open streams for this tenant (tenant.max-streams " + maxStreams + ")",
                    STREAMS_RETRY_AFTER_S);
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) streams.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
        };
    }

    /** Open streams of {@code tenant} (as counted here). */
    public int streams(String tenant) {
        return streams.getOrDefault(tenant, 0);
    }
}
