package io.rollcast.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rollcast.model.Channels;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * Publishes deltas the way the delta sink does ({@code sinks/.../redis/DeltaPublisher}): one Lua call
 * that XADDs the message to the channel's capped recovery stream, sets its TTL and PUBLISHes it with
 * {@code stream_id} added. The JSON has the contract's fields in the sink's order.
 */
public final class Deltas implements AutoCloseable {
    /** The sink's script, verbatim. */
    static final String SCRIPT = String.join(
            "\n",
            "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'm', ARGV[2] .. '}')",
            "redis.call('EXPIRE', KEYS[1], ARGV[4])",
            "redis.call('PUBLISH', ARGV[1], ARGV[2] .. ',\"stream_id\":\"' .. id .. '\"}')",
            "return id");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jedis jedis;
    private long maxLen = 1000;
    private long ttlSeconds = 3600;

    public Deltas(URI redis) {
        this.jedis = new Jedis(redis);
    }

    public Deltas stream(long maxLen, long ttlSeconds) {
        this.maxLen = maxLen;
        this.ttlSeconds = ttlSeconds;
        return this;
    }

    public Jedis jedis() {
        return jedis;
    }

    /** The message (without stream_id) of a window with absolute values; changes are relative to nothing. */
    public static String json(
            String tenant,
            String type,
            String spec,
            long windowStart,
            long size,
            String kind,
            long version,
            long count,
            double sum,
            double min,
            double max,
            long emittedAt) {
        ObjectNode n = JSON.createObjectNode();
        n.put("tenant_id", tenant);
        n.put("event_type", type);
        n.put("spec", spec);
        n.put("window_start", windowStart);
        n.put("window_end", windowStart + size);
        n.put("kind", kind);
        n.put("version", version);
        n.put("prev_version", 0);
        n.put("count", count);
        n.put("sum", sum);
        n.put("min", min);
        n.put("max", max);
        n.put("d_count", count);
        n.put("d_sum", sum);
        n.put("d_min", min);
        n.put("d_max", max);
        n.put("emitted_at", emittedAt);
        return n.toString();
    }

    /** Publishes a tumbling-1m style delta with version {@code 2 * count}; returns the stream entry id. */
    public String publish(String tenant, String type, String spec, long windowStart, long count, double sum) {
        return publish(json(
                tenant,
                type,
                spec,
                windowStart,
                60_000,
                "early",
                2 * count,
                count,
                sum,
                0,
                sum,
                System.currentTimeMillis()));
    }

    /** Publishes one message JSON (no stream_id) to its window's hour channel; returns the stream entry id. */
    public String publish(String messageJson) {
        try {
            var n = JSON.readTree(messageJson);
            String channel = Channels.channel(
                    n.get("tenant_id").asText(),
                    n.get("spec").asText(),
                    Channels.hourOf(n.get("window_start").asLong()));
            String body = messageJson.substring(0, messageJson.lastIndexOf('}'));
            Object id = jedis.eval(
                    SCRIPT,
                    List.of(Channels.stream(channel)),
                    List.of(channel, body, Long.toString(maxLen), Long.toString(ttlSeconds)));
            return id instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(id);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        jedis.close();
    }
}
