package io.rollcast.sinks.redis;

import io.rollcast.model.Channels;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowDelta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Publishes deltas to their hour channels and appends them to the channels' recovery streams, one
 * Lua script call per message ({@link #SCRIPT}: XADD, EXPIRE, then PUBLISH with the new entry id),
 * many calls per pipeline.
 *
 * <p>Why a script: the published message carries the id of its stream entry, which only exists once
 * XADD ran, and a MULTI/EXEC transaction cannot feed one command's reply into the next. The script
 * runs atomically, so a channel's stream order is its publish order, and a subscriber never sees a
 * message whose entry is missing. Calls go by EVALSHA; a server that forgot the script (a restart,
 * SCRIPT FLUSH) answers NOSCRIPT, and the publisher loads it again and resends from the first
 * refused call, so the order per window is kept. Not thread-safe: one per sink writer.
 *
 * <p>A stream expires {@code redis.stream-ttl} after its last message, or that long after the end
 * of the message's window plus the allowed lateness if that is sooner, and at least 1 s after it:
 * live, both are the same (a window's rows come before its end plus the lateness); in a replay of
 * old hours each stream lives about a second past its last message, so Redis holds only the streams
 * the replay is writing instead of every replayed hour for an hour (measured: README › Performance).
 * A fan-out that resumes from an expired stream resyncs its client from the store, as after a trim.
 */
public final class DeltaPublisher implements AutoCloseable {
    /**
     * KEYS[1] stream; ARGV[1] channel, ARGV[2] message JSON without its closing brace, ARGV[3] stream
     * cap, ARGV[4] stream TTL in seconds. Returns the stream entry id.
     */
    public static final String SCRIPT = String.join(
            "\n",
            "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[2] .. '}')",
            "redis.call('EXPIRE', KEYS[1], ARGV[4])",
            "redis.call('PUBLISH', ARGV[1], ARGV[2] .. ',\"stream_id\":\"' .. id .. '\"}')",
            "return id");

    private final JedisPool pool;
    private final byte[] maxLen;
    private final byte[] ttl;
    private final long ttlMs;
    private final long latenessMs;
    private final Channels.Namer channels = new Channels.Namer();
    private byte[] sha;
    private boolean closed;

    public DeltaPublisher(RedisSettings s) {
        this.pool = RedisPools.acquire(s.uri(), s.poolSize());
        this.maxLen = bytes(Long.toString(s.streamMaxLen()));
        this.ttl = bytes(Long.toString(s.streamTtlSeconds()));
        this.ttlMs = s.streamTtlSeconds() * 1000;
        this.latenessMs = s.allowedLatenessMs();
    }

    /**
     * The TTL in seconds of the stream a message of a window ending at {@code windowEnd} goes to,
     * published at {@code now}: the stream TTL, cut to what is left of it after the window's end plus
     * the allowed lateness, at least 1 s.
     */
    static long ttlSeconds(long windowEnd, long now, long ttlMs, long latenessMs) {
        long left = windowEnd + latenessMs + ttlMs - now;
        if (left >= ttlMs) return ttlMs / 1000;
        return Math.max(1, (left + 999) / 1000);
    }

    private byte[] ttl(long windowEnd, long now) {
        long t = ttlSeconds(windowEnd, now, ttlMs, latenessMs);
        return t == ttlMs / 1000 ? ttl : bytes(Long.toString(t));
    }

    /** One message's script arguments. */
    private record Call(byte[] stream, byte[] channel, byte[] body, byte[] ttl) {}

    private Call call(WindowDelta d, long now) {
        String channel = channels.channelOfWindow(d.tenantId(), d.spec(), d.windowStart());
        return call(channel, RowCodec.deltaJson(d), ttl(d.windowEnd(), now));
    }

    private static Call call(String channel, byte[] json, byte[] ttl) {
        byte[] body = java.util.Arrays.copyOf(json, json.length - 1); // the script appends stream_id and '}'
        return new Call(bytes(Channels.stream(channel)), bytes(channel), body, ttl);
    }

    /** Deltas of one hour channel that were dropped ({@code count} of them): what a gap marker reports. */
    public record Gap(String tenant, String spec, long hour, long count) {}

    /**
     * Publishes a gap marker ({@link RowCodec#gapJson}) per entry of {@code gaps} to its hour channel and
     * recovery stream, with the same script as deltas (so it is ordered after them and a resume sees it).
     *
     * @throws redis.clients.jedis.exceptions.JedisException when Redis is unreachable or refuses a call
     */
    public void publishGaps(List<Gap> gaps, long now) {
        if (gaps.isEmpty()) return;
        Call[] calls = new Call[gaps.size()];
        for (int i = 0; i < calls.length; i++) {
            Gap g = gaps.get(i);
            calls[i] = call(
                    Channels.channel(g.tenant(), g.spec(), g.hour()),
                    RowCodec.gapJson(g.tenant(), g.spec(), g.hour() * Channels.HOUR_MS, g.count(), now),
                    ttl); // a marker keeps the whole TTL: a client resuming past it must see it
        }
        run(calls);
    }

    /**
     * Publishes {@code batch} in order in one pipeline (one round trip, two if the script had to be
     * loaded again) and returns the stream entry ids; {@code now} (wall clock) sets the streams' TTL.
     *
     * @throws redis.clients.jedis.exceptions.JedisException when Redis is unreachable or refuses a
     *     call; some of the batch may then have been published
     */
    public List<String> publish(List<WindowDelta> batch, long now) {
        Call[] calls = new Call[batch.size()];
        for (int i = 0; i < calls.length; i++) calls[i] = call(batch.get(i), now);
        return run(calls);
    }

    private List<String> run(Call[] calls) {
        String[] ids = new String[calls.length];
        try (Jedis j = pool.getResource()) {
            if (sha == null) load(j);
            int from = 0;
            for (boolean reloaded = false; ; reloaded = true) {
                List<Response<Object>> replies = new ArrayList<>(calls.length - from);
                try (Pipeline p = j.pipelined()) {
                    for (int i = from; i < calls.length; i++) {
                        Call c = calls[i];
                        replies.add(p.evalsha(sha, 1, c.stream(), c.channel(), c.body(), maxLen, c.ttl()));
                    }
                    p.sync();
                }
                int refused = -1;
                for (int k = 0; k < replies.size() && refused < 0; k++) {
                    try {
                        ids[from + k] =
                                SafeEncoder.encode((byte[]) replies.get(k).get());
                    } catch (JedisDataException e) {
                        if (reloaded || !isNoScript(e)) throw e;
                        refused = from + k;
                    }
                }
                if (refused < 0) return List.of(ids);
                load(j);
                from = refused;
            }
        } catch (RuntimeException e) {
            sha = null; // the server may have restarted: load the script again next time
            throw e;
        }
    }

    /** Publishes {@code batch} with one round trip per message; the baseline of the benchmark. */
    public List<String> publishEach(List<WindowDelta> batch, long now) {
        List<String> ids = new ArrayList<>(batch.size());
        try (Jedis j = pool.getResource()) {
            if (sha == null) load(j);
            for (WindowDelta d : batch) {
                Call c = call(d, now);
                Object id;
                try {
                    id = j.evalsha(sha, 1, c.stream(), c.channel(), c.body(), maxLen, c.ttl());
                } catch (JedisDataException e) {
                    if (!isNoScript(e)) throw e;
                    load(j);
                    id = j.evalsha(sha, 1, c.stream(), c.channel(), c.body(), maxLen, c.ttl());
                }
                ids.add(SafeEncoder.encode((byte[]) id));
            }
        } catch (RuntimeException e) {
            sha = null;
            throw e;
        }
        return ids;
    }

    private void load(Jedis j) {
        sha = j.scriptLoad(bytes(SCRIPT));
    }

    private static boolean isNoScript(JedisDataException e) {
        return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            RedisPools.release(pool);
        }
    }
}
