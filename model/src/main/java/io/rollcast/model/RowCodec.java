package io.rollcast.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON codec of the contracts (see DESIGN.md, "Contracts"): window rows (changelog topic,
 * snapshots), deltas (Redis messages and recovery streams) and too-late events, with the
 * contract's snake_case field names ({@link #TENANT_ID} ...). Written with a streaming generator:
 * this runs once per emitted row. Binary encodings a store needs live with that store
 * ({@code io.rollcast.store.ClickHouseRowBinary}).
 */
public final class RowCodec {
    public static final String EVENT_ID = "event_id";
    public static final String TENANT_ID = "tenant_id";
    public static final String EVENT_TYPE = "event_type";
    public static final String TIMESTAMP = "timestamp";
    public static final String VALUE = "value";
    public static final String SCHEMA_VERSION = "schema_version";
    public static final String PAYLOAD = "payload";
    public static final String SPEC = "spec";
    public static final String WINDOW_START = "window_start";
    public static final String WINDOW_END = "window_end";
    public static final String COUNT = "count";
    public static final String SUM = "sum";
    public static final String MIN = "min";
    public static final String MAX = "max";
    public static final String KIND = "kind";
    public static final String VERSION = "version";
    public static final String PREV_VERSION = "prev_version";
    public static final String EMITTED_AT = "emitted_at";
    public static final String D_COUNT = "d_count";
    public static final String D_SUM = "d_sum";
    public static final String D_MIN = "d_min";
    public static final String D_MAX = "d_max";
    /** Optional ({@link WindowStats}): {@code {"0.5": v, "0.99": v}}, the quantiles of {@code value} by level. */
    public static final String QUANTILES = "quantiles";
    /** Optional, rows only: the window's DDSketch, base64 of {@code DDSketch.encode}. */
    public static final String QUANTILE_SKETCH = "quantile_sketch";
    /** Optional: the estimated number of distinct values of the configured payload field. */
    public static final String DISTINCT = "distinct";
    /** Optional, rows only: the window's HyperLogLog registers, base64. */
    public static final String DISTINCT_SKETCH = "distinct_sketch";
    /** Optional, closed rows: {@code {"score","baseline","flagged"}}. */
    public static final String ANOMALY = "anomaly";

    public static final String SCORE = "score";
    public static final String BASELINE = "baseline";
    public static final String FLAGGED = "flagged";
    /** Added by the publish script to a delta: the id of its recovery stream entry. */
    public static final String STREAM_ID = "stream_id";
    /** {@link #KIND} of a gap marker: the job dropped deltas of this channel (see {@link #gapJson}). */
    public static final String KIND_GAP = "gap";
    /** Of a gap marker: how many deltas of the channel were dropped. */
    public static final String DROPPED = "dropped";

    private static final JsonFactory JSON = new JsonFactory();

    private RowCodec() {}

    /** {@code {"tenant_id","event_type","spec","window_start","window_end","count","sum","min","max","kind","version","emitted_at"}}. */
    public static byte[] rowJson(WindowRow r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            writeRow(g, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code r} as one JSON object (the {@link #rowJson} fields, in that order) to {@code g}. */
    public static void writeRow(JsonGenerator g, WindowRow r) throws IOException {
        g.writeStartObject();
        writeWindow(g, r.tenantId(), r.eventType(), r.spec(), r.windowStart(), r.windowEnd());
        g.writeNumberField(COUNT, r.count());
        g.writeNumberField(SUM, r.sum());
        g.writeNumberField(MIN, r.min());
        g.writeNumberField(MAX, r.max());
        g.writeStringField(KIND, r.kind().code());
        g.writeNumberField(VERSION, r.version());
        g.writeNumberField(EMITTED_AT, r.emittedAt());
        if (r.stats() != null) writeStats(g, r.stats(), true);
        g.writeEndObject();
    }

    /** The configured parts of {@code s}, each only when present; sketches only in rows (deltas stay small). */
    private static void writeStats(JsonGenerator g, WindowStats s, boolean sketches) throws IOException {
        if (s.hasQuantiles()) {
            g.writeObjectFieldStart(QUANTILES);
            for (int i = 0; i < s.quantileLevels().length; i++) {
                g.writeNumberField(Double.toString(s.quantileLevels()[i]), s.quantiles()[i]);
            }
            g.writeEndObject();
            if (sketches) g.writeBinaryField(QUANTILE_SKETCH, s.quantileSketch());
        }
        if (s.hasDistinct()) {
            g.writeNumberField(DISTINCT, s.distinct());
            if (sketches) g.writeBinaryField(DISTINCT_SKETCH, s.distinctSketch());
        }
        if (s.anomaly() != null) {
            g.writeObjectFieldStart(ANOMALY);
            g.writeNumberField(SCORE, s.anomaly().score());
            g.writeNumberField(BASELINE, s.anomaly().baseline());
            g.writeBooleanField(FLAGGED, s.anomaly().flagged());
            g.writeEndObject();
        }
    }

    /** The window's identity and bounds, the first five fields of a row and of a delta. */
    private static void writeWindow(JsonGenerator g, String tenant, String type, String spec, long start, long end)
            throws IOException {
        g.writeStringField(TENANT_ID, tenant);
        g.writeStringField(EVENT_TYPE, type);
        g.writeStringField(SPEC, spec);
        g.writeNumberField(WINDOW_START, start);
        g.writeNumberField(WINDOW_END, end);
    }

    /**
     * A delta without {@code stream_id}: {@code {"tenant_id","event_type","spec","window_start",
     * "window_end","kind","version","prev_version","count","sum","min","max","d_count","d_sum","d_min",
     * "d_max","emitted_at"}}. This is what a recovery stream entry holds; the published message adds
     * {@link #STREAM_ID} (its entry id) before the closing brace.
     */
    public static byte[] deltaJson(WindowDelta d) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(360);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            writeWindow(g, d.tenantId(), d.eventType(), d.spec(), d.windowStart(), d.windowEnd());
            g.writeStringField(KIND, d.kind().code());
            g.writeNumberField(VERSION, d.version());
            g.writeNumberField(PREV_VERSION, d.prevVersion());
            g.writeNumberField(COUNT, d.count());
            g.writeNumberField(SUM, d.sum());
            g.writeNumberField(MIN, d.min());
            g.writeNumberField(MAX, d.max());
            g.writeNumberField(D_COUNT, d.dCount());
            g.writeNumberField(D_SUM, d.dSum());
            g.writeNumberField(D_MIN, d.dMin());
            g.writeNumberField(D_MAX, d.dMax());
            g.writeNumberField(EMITTED_AT, d.emittedAt());
            if (d.stats() != null) writeStats(g, d.stats(), false);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A gap marker without {@code stream_id}: {@code {"tenant_id","spec","window_start","kind":"gap",
     * "dropped","emitted_at"}}, published to an hour channel (and its recovery stream) after the job
     * dropped {@code dropped} deltas of it; {@code window_start} is the hour's start. A reader resyncs
     * that channel from the store; it has no {@code event_type} or {@code version}, so a client that
     * only applies deltas with a higher version than it holds ignores it.
     */
    public static byte[] gapJson(String tenant, String spec, long hourStart, long dropped, long emittedAt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField(TENANT_ID, tenant);
            g.writeStringField(SPEC, spec);
            g.writeNumberField(WINDOW_START, hourStart);
            g.writeStringField(KIND, KIND_GAP);
            g.writeNumberField(DROPPED, dropped);
            g.writeNumberField(EMITTED_AT, emittedAt);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** An event in the input contract's shape (payload dropped), for the too-late topic. */
    public static byte[] eventJson(Event e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField(EVENT_ID, e.eventId());
            g.writeStringField(TENANT_ID, e.tenantId());
            g.writeStringField(EVENT_TYPE, e.eventType());
            g.writeNumberField(TIMESTAMP, e.timestamp());
            g.writeNumberField(VALUE, e.value());
            g.writeNumberField(SCHEMA_VERSION, 1);
            g.writeEndObject();
        } catch (IOException e2) {
            throw new UncheckedIOException(e2);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a row written by {@link #rowJson} (or a delta: its extra fields are skipped). Doubles
     * written by Jackson parse back to the same bits.
     *
     * @throws IllegalArgumentException when it is not such a row
     */
    public static WindowRow readRow(byte[] json) {
        String tenant = null, type = null, spec = null, kind = null;
        long start = Long.MIN_VALUE, end = Long.MIN_VALUE, count = -1, version = -1, emittedAt = 0;
        double sum = 0, min = 0, max = 0;
        double[] levels = null, quantiles = null;
        byte[] quantileSketch = null, distinctSketch = null;
        long distinct = -1;
        WindowStats.Anomaly anomaly = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("a row is a JSON object");
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                switch (f) {
                    case TENANT_ID -> tenant = p.getValueAsString();
                    case EVENT_TYPE -> type = p.getValueAsString();
                    case SPEC -> spec = p.getValueAsString();
                    case WINDOW_START -> start = p.getLongValue();
                    case WINDOW_END -> end = p.getLongValue();
                    case COUNT -> count = p.getLongValue();
                    case SUM -> sum = p.getDoubleValue();
                    case MIN -> min = p.getDoubleValue();
                    case MAX -> max = p.getDoubleValue();
                    case KIND -> kind = p.getValueAsString();
                    case VERSION -> version = p.getLongValue();
                    case EMITTED_AT -> emittedAt = p.getLongValue();
                    case QUANTILES -> {
                        java.util.List<double[]> qs = new java.util.ArrayList<>();
                        for (JsonToken q = p.nextToken(); q == JsonToken.FIELD_NAME; q = p.nextToken()) {
                            double level = Double.parseDouble(p.currentName());
                            p.nextToken();
                            qs.add(new double[] {level, p.getDoubleValue()});
                        }
                        levels = new double[qs.size()];
                        quantiles = new double[qs.size()];
                        for (int i = 0; i < qs.size(); i++) {
                            levels[i] = qs.get(i)[0];
                            quantiles[i] = qs.get(i)[1];
                        }
                    }
                    case QUANTILE_SKETCH -> quantileSketch = p.getBinaryValue();
                    case DISTINCT -> distinct = p.getLongValue();
                    case DISTINCT_SKETCH -> distinctSketch = p.getBinaryValue();
                    case ANOMALY -> {
                        double score = 0, baseline = 0;
                        boolean flagged = false;
                        for (JsonToken a = p.nextToken(); a == JsonToken.FIELD_NAME; a = p.nextToken()) {
                            String af = p.currentName();
                            JsonToken av = p.nextToken();
                            switch (af) {
                                case SCORE -> score = p.getDoubleValue();
                                case BASELINE -> baseline = p.getDoubleValue();
                                case FLAGGED -> flagged = av == JsonToken.VALUE_TRUE;
                                default -> p.skipChildren();
                            }
                        }
                        anomaly = new WindowStats.Anomaly(score, baseline, flagged);
                    }
                    default -> {
                        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("bad row JSON: " + e.getMessage(), e);
        }
        if (tenant == null
                || type == null
                || spec == null
                || kind == null
                || start == Long.MIN_VALUE
                || end == Long.MIN_VALUE
                || count < 0
                || version < 0) {
            throw new IllegalArgumentException("row JSON lacks a field of the window row contract");
        }
        WindowStats stats = levels == null && distinct < 0 && anomaly == null
                ? null
                : new WindowStats(levels, quantiles, quantileSketch, distinct, distinctSketch, anomaly);
        return new WindowRow(
                tenant, type, spec, start, end, count, sum, min, max, Kind.of(kind), version, emittedAt, stats);
    }
}
