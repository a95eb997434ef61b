package io.rollcast.sinks.redis;

import io.rollcast.model.WindowDelta;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Names and bytes of the delta messages: the per-hour channel, its recovery stream, and the JSON
 * message with the contract's snake_case fields.
 *
 * <p>Channel {@code rollcast:{tenant}:{spec}:{yyyyMMddHH}} and stream
 * {@code rollcast:stream:{tenant}:{spec}:{yyyyMMddHH}}, the hour being the window start's, in UTC.
 * Tenant ids and spec ids contain no {@code :}, so the names are unambiguous.
 */
public final class DeltaMessages {
    public static final String CHANNEL_PREFIX = "rollcast:";
    public static final String STREAM_PREFIX = "rollcast:stream:";
    /** The field of a recovery stream entry that holds the message (without {@code stream_id}). */
    public static final String STREAM_FIELD = "m";

    private static final JsonFactory JSON = new JsonFactory();
    private static final long HOUR_MS = 3_600_000L;

    private DeltaMessages() {}

    /** {@code yyyyMMddHH} of the UTC hour containing {@code epochMs}. */
    public static String hour(long epochMs) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMs, HOUR_MS) * 3600, 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(10);
        pad(sb, t.getYear(), 4);
        pad(sb, t.getMonthValue(), 2);
        pad(sb, t.getDayOfMonth(), 2);
        pad(sb, t.getHour(), 2);
        return sb.toString();
    }

    private static void pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) sb.append('0');
        sb.append(s);
    }

    /** The pub/sub channel of a window: {@code rollcast:{tenant}:{spec}:{yyyyMMddHH of windowStart}}. */
    public static String channel(String tenantId, String spec, long windowStart) {
        return CHANNEL_PREFIX + tenantId + ':' + spec + ':' + hour(windowStart);
    }

    /** The recovery stream of a channel: {@code rollcast:stream:{tenant}:{spec}:{hour}}. */
    public static String streamKey(String channel) {
        if (!channel.startsWith(CHANNEL_PREFIX)) throw new IllegalArgumentException("not a delta channel: " + channel);
        return STREAM_PREFIX + channel.substring(CHANNEL_PREFIX.length());
    }

    /**
     * The message without {@code stream_id}: {@code {"tenant_id":..,"event_type":..,"spec":..,
     * "window_start":..,"window_end":..,"kind":..,"version":..,"prev_version":..,"count":..,"sum":..,
     * "min":..,"max":..,"d_count":..,"d_sum":..,"d_min":..,"d_max":..,"emitted_at":..}}. This is
     * what a recovery stream entry holds; the published message adds {@code stream_id} (its entry id).
     */
    public static byte[] json(WindowDelta d) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(360);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("tenant_id", d.tenantId());
            g.writeStringField("event_type", d.eventType());
            g.writeStringField("spec", d.spec());
            g.writeNumberField("window_start", d.windowStart());
            g.writeNumberField("window_end", d.windowEnd());
            g.writeStringField("kind", d.kind().code());
            g.writeNumberField("version", d.version());
            g.writeNumberField("prev_version", d.prevVersion());
            g.writeNumberField("count", d.count());
            g.writeNumberField("sum", d.sum());
            g.writeNumberField("min", d.min());
            g.writeNumberField("max", d.max());
            g.writeNumberField("d_count", d.dCount());
            g.writeNumberField("d_sum", d.dSum());
            g.writeNumberField("d_min", d.dMin());
            g.writeNumberField("d_max", d.dMax());
            g.writeNumberField("emitted_at", d.emittedAt());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Hour names of recent window starts, computed once per hour. Not thread-safe. */
    static final class Hours {
        private final java.util.HashMap<Long, String> names = new java.util.HashMap<>();

        String of(long epochMs) {
            long h = Math.floorDiv(epochMs, HOUR_MS);
            String name = names.get(h);
            if (name == null) {
                if (names.size() >= 256) names.clear();
                name = hour(epochMs);
                names.put(h, name);
            }
            return name;
        }
    }
}
