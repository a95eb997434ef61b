package io.rollcast.fanout.redis;

import io.rollcast.model.Channels;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Reads the delta sink's capped recovery streams: the entries after a position, with what is needed
 * to tell whether entries after it were lost (trimmed by {@code MAXLEN} or expired).
 *
 * <p>One Lua script per read, so the server time, the stream's last generated id, its largest
 * deleted id and the entries are one consistent view.
 */
public final class RecoveryStreams implements AutoCloseable {
    /**
     * KEYS[1] stream; ARGV[1] inclusive start id, or '' for "now - ARGV[2] ms"; ARGV[3] max entries.
     * Returns {now_ms, exists, last_generated_id, max_deleted_id, first_id, {entries...}, entries_added, length}.
     */
    static final String SCRIPT = String.join(
            "\n",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
            "if redis.call('EXISTS', KEYS[1]) == 0 then return {now, 0, '0-0', '0-0', '', {}, 0, 0} end",
            "local info = redis.call('XINFO', 'STREAM', KEYS[1])",
            "local last, maxdel, first, added, len = '0-0', '0-0', '', 0, 0",
            "for i = 1, #info, 2 do",
            "  local k = info[i]",
            "  if k == 'last-generated-id' then last = info[i + 1]",
            "  elseif k == 'max-deleted-entry-id' then maxdel = info[i + 1]",
            "  elseif k == 'entries-added' then added = info[i + 1]",
            "  elseif k == 'length' then len = info[i + 1]",
            "  elseif k == 'first-entry' and type(info[i + 1]) == 'table' then first = info[i + 1][1] end",
            "end",
            "local start = ARGV[1]",
            "if start == '' then start = tostring(math.max(0, now - tonumber(ARGV[2]))) .. '-0' end",
            "local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', ARGV[3])",
            "return {now, 1, last, maxdel, first, entries, added, len}");

    /**
     * What one read saw. {@code entries} are in stream order; {@code truncated} when COUNT cut them;
     * {@code removed} = entries added minus length (trimmed by MAXLEN or deleted).
     */
    public record Read(
            long nowMs,
            boolean exists,
            StreamId last,
            StreamId maxDeleted,
            StreamId first,
            List<DeltaMessage> entries,
            boolean truncated,
            long removed) {

        /**
         * Whether entries after {@code position} may be gone: deleted past it (XDEL), or trimmed while
         * the oldest surviving entry is after it ({@code XADD MAXLEN} trims from the head).
         */
        public boolean lostAfter(StreamId position) {
            if (!exists) return false;
            if (maxDeleted.isAfter(position)) return true;
            if (removed <= 0) return false;
            return first == null ? last.isAfter(position) : first.isAfter(position.next());
        }
    }

    private final JedisPool pool;
    private volatile byte[] sha;

    public RecoveryStreams(URI uri, int connections) {
        JedisPoolConfig cfg = new JedisPoolConfig();
        cfg.setMaxTotal(connections);
        cfg.setMaxIdle(connections);
        cfg.setMinIdle(0);
        cfg.setMaxWait(Duration.ofSeconds(10));
        this.pool = new JedisPool(cfg, RedisClients.address(uri), RedisClients.config(uri, 5_000));
    }

    /** Entries of {@code channel}'s stream from now minus {@code overlapMs}, at most {@code max}. */
    public Read recent(String channel, long overlapMs, int max) {
        return read(channel, "", overlapMs, max);
    }

    /** Entries of {@code channel}'s stream after {@code position}, at most {@code max}. */
    public Read after(String channel, StreamId position, int max) {
        return read(channel, position.next().toString(), 0, max);
    }

    private Read read(String channel, String start, long overlapMs, int max) {
        byte[] stream = bytes(Channels.stream(channel));
        List<byte[]> args = List.of(bytes(start), bytes(Long.toString(overlapMs)), bytes(Integer.toString(max + 1)));
        Object reply;
        try {
            reply = eval(stream, args);
        } catch (JedisConnectionException e) {
            reply = eval(stream, args); // a pooled connection broken by a Redis restart: once more on a fresh one
        }
        List<?> r = (List<?>) reply;
        long now = (Long) r.get(0);
        boolean exists = (Long) r.get(1) == 1L;
        StreamId last = StreamId.parse(str(r.get(2)));
        StreamId maxDeleted = StreamId.parse(str(r.get(3)));
        String firstText = str(r.get(4));
        StreamId first = firstText.isEmpty() ? null : StreamId.parse(firstText);
        List<DeltaMessage> entries = new ArrayList<>();
        boolean truncated = false;
        for (Object e : (List<?>) r.get(5)) {
            if (entries.size() == max) {
                truncated = true;
                break;
            }
            List<?> entry = (List<?>) e;
            StreamId id = StreamId.parse(str(entry.get(0)));
            List<?> fields = (List<?>) entry.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (str(fields.get(i)).equals("m")) {
                    byte[] json = (byte[]) fields.get(i + 1);
                    try {
                        entries.add(DeltaMessage.parse(channel, DeltaMessage.withStreamId(json, id), id));
                    } catch (IllegalArgumentException ignored) {
                        // a malformed entry is skipped, as a malformed live message is
                    }
                }
            }
        }
        long removed = (Long) r.get(6) - (Long) r.get(7);
        return new Read(now, exists, last, maxDeleted, first, entries, truncated, removed);
    }

    private Object eval(byte[] stream, List<byte[]> args) {
        try (Jedis j = pool.getResource()) {
            if (sha == null) sha = j.scriptLoad(bytes(SCRIPT));
            try {
                return j.evalsha(sha, List.of(stream), args);
            } catch (JedisDataException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) throw e;
                sha = j.scriptLoad(bytes(SCRIPT));
                return j.evalsha(sha, List.of(stream), args);
            }
        }
    }

    private static String str(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        pool.close();
    }
}
