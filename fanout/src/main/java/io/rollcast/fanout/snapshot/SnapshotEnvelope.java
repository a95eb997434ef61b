package io.rollcast.fanout.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The one encoding of a snapshot as clients receive it, the body of {@code /v1/snapshot} and the data
 * of a stream's {@code snapshot} and {@code resync} events:
 * {@code {"tenant":...,"spec":...,"event_type":...|null,"from":...,"to":...|null,"reason":...,"rows":[...]}},
 * {@code reason} only on a resync.
 */
public final class SnapshotEnvelope {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotEnvelope() {}

    /** The envelope of {@code rows} read for {@code q}; {@code reason} says why a resync was sent (null: not a resync). */
    public static byte[] encode(StreamQuery q, List<ObjectNode> rows, String reason) {
        ObjectNode body = JSON.createObjectNode();
        body.put("tenant", q.tenant());
        body.put("spec", q.spec());
        q.eventType().ifPresentOrElse(t -> body.put("event_type", t), () -> body.putNull("event_type"));
        body.put("from", q.from());
        q.to().ifPresentOrElse(t -> body.put("to", t), () -> body.putNull("to"));
        if (reason != null) body.put("reason", reason);
        ArrayNode array = body.putArray("rows");
        rows.forEach(array::add);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("snapshot encoding failed", e);
        }
    }
}
