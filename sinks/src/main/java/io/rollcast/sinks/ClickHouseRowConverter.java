package io.rollcast.sinks;

import io.rollcast.model.WindowRow;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes a window row as one JSONEachRow line for the ClickHouse rollup table: window bounds in
 * epoch seconds (DateTime), emitted_at in epoch milliseconds, kind as its enum name.
 *
 * <p>Strings are escaped by Jackson; nothing from a row ever reaches the SQL text.
 */
public final class ClickHouseRowConverter implements ElementConverter<WindowRow, byte[]> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public byte[] apply(WindowRow row, SinkWriter.Context context) {
        return encode(row);
    }

    public static byte[] encode(WindowRow r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("tenant_id", r.tenantId());
            g.writeStringField("event_type", r.eventType());
            g.writeStringField("spec", r.spec());
            g.writeNumberField("window_start", seconds(r.windowStart()));
            g.writeNumberField("window_end", seconds(r.windowEnd()));
            g.writeNumberField("count", r.count());
            g.writeNumberField("sum", r.sum());
            g.writeNumberField("min", r.min());
            g.writeNumberField("max", r.max());
            g.writeStringField("kind", r.kind().code());
            g.writeNumberField("version", r.version());
            g.writeNumberField("emitted_at", r.emittedAt());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** DateTime has second resolution: the job rejects sub-second window specs for this store. */
    private static long seconds(long epochMs) {
        if (epochMs % 1000 != 0) {
            throw new IllegalArgumentException("ClickHouse window bounds must be whole seconds, got " + epochMs + " ms");
        }
        return epochMs / 1000;
    }
}
