package io.rollcast.fanout.redis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rollcast.model.Keys;
import io.rollcast.model.RowCodec;
import java.io.IOException;

/**
 * One delta as received from a channel or read from a recovery stream: the fields the fan-out
 * routes and filters on, and the original JSON bytes, which are forwarded unchanged. Or a gap marker
 * ({@code "kind":"gap"}, {@link #gap()}): the job dropped deltas of this channel, whose clients must
 * resync from the store; it is never forwarded.
 *
 * @param windowKey {@code event_type|window_start}, the window within the channel's tenant and spec
 *     (empty for a gap marker)
 * @param gap whether this is a gap marker (no event type or version)
 *
 * <p>Parsed once per message (not per client) with Jackson's streaming parser.
 */
public record DeltaMessage(
        String channel,
        String eventType,
        long windowStart,
        long version,
        StreamId streamId,
        long emittedAt,
        byte[] json,
        String windowKey,
        boolean gap) {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * Parses a published message ({@code stream_id} inside) or a stream entry (id given). Throws
     * {@link IllegalArgumentException} when a routing field is missing.
     */
    public static DeltaMessage parse(String channel, byte[] json, StreamId entryId) {
        String eventType = null;
        long windowStart = Long.MIN_VALUE;
        long version = -1;
        long emittedAt = 0;
        boolean gap = false;
        StreamId id = entryId;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                switch (f) {
                    case RowCodec.EVENT_TYPE -> eventType = p.getValueAsString();
                    case RowCodec.WINDOW_START -> windowStart = p.getValueAsLong();
                    case RowCodec.VERSION -> version = p.getValueAsLong();
                    case RowCodec.EMITTED_AT -> emittedAt = p.getValueAsLong();
                    case RowCodec.KIND -> gap = RowCodec.KIND_GAP.equals(p.getValueAsString());
                    case RowCodec.STREAM_ID -> {
                        if (id == null) id = StreamId.parse(p.getValueAsString());
                    }
                    default -> {
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) p.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("bad delta JSON: " + e.getMessage());
        }
        if (gap && id != null) return new DeltaMessage(channel, "", windowStart, 0, id, emittedAt, json, "", true);
        if (eventType == null || windowStart == Long.MIN_VALUE || version < 0 || id == null) {
            throw new IllegalArgumentException("delta lacks event_type, window_start, version or stream_id");
        }
        return new DeltaMessage(
                channel, eventType, windowStart, version, id, emittedAt, json, key(eventType, windowStart), false);
    }

    /** A stream entry's message with {@code "stream_id":"<id>"} added, as the published form has it. */
    public static byte[] withStreamId(byte[] entryJson, StreamId id) {
        int end = entryJson.length - 1;
        while (end > 0 && entryJson[end] != '}') end--;
        byte[] tail = (",\"" + RowCodec.STREAM_ID + "\":\"" + id + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[end + tail.length];
        System.arraycopy(entryJson, 0, out, 0, end);
        System.arraycopy(tail, 0, out, end, tail.length);
        return out;
    }

    /** Key of a window within one tenant and spec: {@code event_type|window_start} (computed once per message). */
    public static String key(String eventType, long windowStart) {
        return Keys.channelWindowKey(eventType, windowStart);
    }
}
