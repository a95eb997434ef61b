package io.rollcast.sinks.redis;

import java.io.Serializable;
import java.net.URI;

/**
 * Where and how the Redis delta sink publishes: server URI, mode, batching, the recovery streams'
 * cap and TTL, and the connection pool size.
 *
 * @param uri {@code redis://[user:password@]host:port[/db]}
 * @param batchSize messages per pipeline (one round trip); a full batch is sent at once
 * @param flushIntervalMs a non-empty batch waits at most this long (live mode); 0 sends every message at once
 * @param coalesceIntervalMs coalesce mode: the latest delta per window is published this often
 * @param maxBuffered most windows held back in coalesce mode or while Redis is unreachable; beyond,
 *     coalesce mode publishes early and an outage drops the oldest
 * @param streamMaxLen approximate cap of each channel's recovery stream ({@code XADD MAXLEN ~})
 * @param streamTtlSeconds a recovery stream expires this long after its last message, or this long
 *     after the end of that message's window plus the allowed lateness if that is sooner (at least
 *     1 s): a replay of old hours keeps only the streams it is writing ({@link DeltaPublisher})
 * @param poolSize connections per TaskManager, shared by the sink's subtasks in it
 * @param allowedLatenessMs the job's allowed lateness: how long after a window's end rows of it may
 *     still come (the horizon of its stream's TTL)
 */
public record RedisSettings(
        String uri,
        DeltaMode mode,
        int batchSize,
        long flushIntervalMs,
        long coalesceIntervalMs,
        int maxBuffered,
        long streamMaxLen,
        long streamTtlSeconds,
        int poolSize,
        long allowedLatenessMs)
        implements Serializable {

    public RedisSettings {
        URI u = URI.create(uri);
        if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("Redis URI must look like redis://host:port but is '" + uri + "'");
        }
        if (mode == null) throw new IllegalArgumentException("mode is required");
        if (batchSize <= 0 || maxBuffered <= 0 || streamMaxLen <= 0 || poolSize <= 0) {
            throw new IllegalArgumentException(
                    "batch size, max buffered, stream max length and pool size must be positive");
        }
        if (flushIntervalMs < 0 || coalesceIntervalMs <= 0 || streamTtlSeconds <= 0 || allowedLatenessMs < 0) {
            throw new IllegalArgumentException("flush interval and allowed lateness must not be negative;"
                    + " coalesce interval and stream TTL must be positive");
        }
    }

    /** Live mode with the job's defaults; for tests and tools. */
    public static RedisSettings of(String uri) {
        return new RedisSettings(uri, DeltaMode.LIVE, 500, 10, 1000, 100_000, 1000, 3600, 8, 300_000);
    }

    public RedisSettings withMode(DeltaMode m) {
        return new RedisSettings(
                uri,
                m,
                batchSize,
                flushIntervalMs,
                coalesceIntervalMs,
                maxBuffered,
                streamMaxLen,
                streamTtlSeconds,
                poolSize,
                allowedLatenessMs);
    }

    public RedisSettings withBatching(int size, long flushMs) {
        return new RedisSettings(
                uri,
                mode,
                size,
                flushMs,
                coalesceIntervalMs,
                maxBuffered,
                streamMaxLen,
                streamTtlSeconds,
                poolSize,
                allowedLatenessMs);
    }

    public RedisSettings withCoalesceInterval(long ms) {
        return new RedisSettings(
                uri,
                mode,
                batchSize,
                flushIntervalMs,
                ms,
                maxBuffered,
                streamMaxLen,
                streamTtlSeconds,
                poolSize,
                allowedLatenessMs);
    }

    public RedisSettings withStream(long maxLen, long ttlSeconds) {
        return new RedisSettings(
                uri,
                mode,
                batchSize,
                flushIntervalMs,
                coalesceIntervalMs,
                maxBuffered,
                maxLen,
                ttlSeconds,
                poolSize,
                allowedLatenessMs);
    }

    /** The URI without its password, for logs. */
    public String safeUri() {
        URI u = URI.create(uri);
        return u.getUserInfo() == null ? uri : uri.replace(u.getRawUserInfo() + "@", "***@");
    }

    @Override
    public String toString() {
        return "RedisSettings[uri=" + safeUri() + ", mode=" + mode.code() + ", batchSize=" + batchSize
                + ", flushIntervalMs=" + flushIntervalMs + ", coalesceIntervalMs=" + coalesceIntervalMs
                + ", maxBuffered=" + maxBuffered + ", streamMaxLen=" + streamMaxLen
                + ", streamTtlSeconds=" + streamTtlSeconds + ", poolSize=" + poolSize
                + ", allowedLatenessMs=" + allowedLatenessMs + "]";
    }
}
