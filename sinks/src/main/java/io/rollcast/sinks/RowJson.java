package io.rollcast.sinks;

import io.rollcast.model.Event;
import io.rollcast.model.WindowRow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON encodings of window rows and events, with the snake_case field names of the contract.
 *
 * <p>Written with a streaming generator: this runs once per emitted row.
 */
public final class RowJson {
    private static final JsonFactory JSON = new JsonFactory();

    private RowJson() {}

    /** {@code {"tenant_id":..,"event_type":..,"spec":..,"window_start":..,"window_end":..,"count":..,"sum":..,"min":..,"max":..,"kind":..,"version":..,"emitted_at":..}} */
    public static byte[] row(WindowRow r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("tenant_id", r.tenantId());
            g.writeStringField("event_type", r.eventType());
            g.writeStringField("spec", r.spec());
            g.writeNumberField("window_start", r.windowStart());
            g.writeNumberField("window_end", r.windowEnd());
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

    /** An event in the input contract's shape (payload dropped), for the too-late topic. */
    public static byte[] event(Event e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("event_id", e.eventId());
            g.writeStringField("tenant_id", e.tenantId());
            g.writeStringField("event_type", e.eventType());
            g.writeNumberField("timestamp", e.timestamp());
            g.writeNumberField("value", e.value());
            g.writeNumberField("schema_version", 1);
            g.writeEndObject();
        } catch (IOException e2) {
            throw new UncheckedIOException(e2);
        }
        return bytes.toByteArray();
    }
}
