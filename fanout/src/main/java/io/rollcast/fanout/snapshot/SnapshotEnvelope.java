package io.rollcast.fanout.snapshot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The one encoding of a snapshot as clients receive it, the body of {@code /v1/snapshot} and the data
 * of a stream's {@code snapshot} and {@code resync} events:
 * {@code {"tenant":...,"spec":...,"event_type":...|null,"from":...,"to":...|null,"reason":...,"rows":[...]}},
 * {@code reason} only on a resync. Each row is the model's {@link RowCodec#writeRow} object.
 */
public final class SnapshotEnvelope {
    private static final JsonFactory JSON = new JsonFactory();

    private SnapshotEnvelope() {}

    /** The envelope of {@code rows} read for {@code q}; {@code reason} says why a resync was sent (null: not a resync). */
    public static byte[] encode(StreamQuery q, List<WindowRow> rows, String reason) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 256 * rows.size());
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("tenant", q.tenant());
            g.writeStringField("spec", q.spec());
            if (q.eventType().isPresent())
                g.writeStringField(RowCodec.EVENT_TYPE, q.eventType().get());
            else g.writeNullField(RowCodec.EVENT_TYPE);
            g.writeNumberField("from", q.from());
            if (q.to().isPresent()) g.writeNumberField("to", q.to().get());
            else g.writeNullField("to");
            if (reason != null) g.writeStringField("reason", reason);
            g.writeArrayFieldStart("rows");
            for (WindowRow r : rows) RowCodec.writeRow(g, r);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot encoding failed", e);
        }
        return bytes.toByteArray();
    }
}
