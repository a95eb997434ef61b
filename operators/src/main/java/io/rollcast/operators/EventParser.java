package io.rollcast.operators;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.rollcast.model.Event;
import io.rollcast.model.Names;
import io.rollcast.model.RejectReason;
import io.rollcast.model.RowCodec;
import java.io.IOException;
import java.io.Serializable;

/**
 * Parses and validates one event record against the event contract, without throwing.
 *
 * <p>A streaming parser, not a tree: this runs once per record on the hot path. Unknown fields are
 * ignored (forward compatibility); {@code payload} must be an object and is skipped unread, except
 * for the scalar at the distinct path ({@code windows.distinct}, e.g. {@code payload.user_id}),
 * whose text is hashed into {@link Event#distinctHash}.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Schema versions this parser understands. */
    public static final int CURRENT_SCHEMA_VERSION = 1;

    private static final int MAX_EVENT_ID_LENGTH = 128;
    /** Duplicate field names (a decoy {@code tenant_id} after the real one) are rejected, not "last one wins". */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final int maxRecordBytes;
    private final long maxFutureMs;
    /** The distinct path below {@code payload} ({@code payload.a.b} -> {@code [a, b]}), or null. */
    private final String[] distinctPath;

    /** A dotted path into the payload: {@code payload.<field>[.<field>...]}, fields {@code [A-Za-z0-9_-]{1,64}}, at most 8 deep. */
    public static final java.util.regex.Pattern DISTINCT_PATH =
            java.util.regex.Pattern.compile("payload(\\.[A-Za-z0-9_-]{1,64}){1,8}");

    /**
     * @param maxRecordBytes records larger than this are rejected before parsing
     * @param maxFutureMs timestamps more than this ahead of the reference time (the Kafka record's
     *     timestamp; see {@link #parse}) are rejected
     */
    public EventParser(int maxRecordBytes, long maxFutureMs) {
        this(maxRecordBytes, maxFutureMs, "");
    }

    /**
     * @param distinctPath {@link #DISTINCT_PATH}, or empty for none
     * @throws IllegalArgumentException when the path is not of that form
     */
    public EventParser(int maxRecordBytes, long maxFutureMs, String distinctPath) {
        if (distinctPath == null || distinctPath.isEmpty()) {
            this.distinctPath = null;
        } else if (!DISTINCT_PATH.matcher(distinctPath).matches()) {
            throw new IllegalArgumentException("distinct path '" + distinctPath
                    + "' must be payload.<field>[.<field>...] with fields of [A-Za-z0-9_-], at most 8 deep");
        } else {
            this.distinctPath = distinctPath.substring("payload.".length()).split("\\.");
        }
        if (maxRecordBytes <= 0) throw new IllegalArgumentException("maxRecordBytes must be positive");
        if (maxFutureMs < 0) throw new IllegalArgumentException("maxFutureMs must not be negative");
        this.maxRecordBytes = maxRecordBytes;
        this.maxFutureMs = maxFutureMs;
    }

    /** Outcome of parsing: an event, or a reason and a detail. */
    public record Result(Event event, RejectReason reason, String detail) {
        static Result ok(Event e) {
            return new Result(e, null, null);
        }

        static Result reject(RejectReason reason, String detail) {
            return new Result(null, reason, detail);
        }

        public boolean isValid() {
            return event != null;
        }
    }

    /**
     * Parses {@code bytes}. {@code nowMs} is the reference time of the future-timestamp check: the
     * Kafka record's own timestamp (CreateTime or LogAppendTime), so that a live run, a replay and a
     * backfill of the same record decide the same; the wall clock only for records without one.
     */
    public Result parse(byte[] bytes, long nowMs) {
        if (bytes == null || bytes.length == 0) {
            return Result.reject(RejectReason.NOT_JSON, "empty record");
        }
        if (bytes.length > maxRecordBytes) {
            return Result.reject(RejectReason.TOO_LARGE, bytes.length + " bytes > limit " + maxRecordBytes);
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            return parseObject(p, nowMs);
        } catch (JsonProcessingException e) {
            return Result.reject(RejectReason.NOT_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            return Result.reject(RejectReason.NOT_JSON, String.valueOf(e.getMessage()));
        }
    }

    private Result parseObject(JsonParser p, long nowMs) throws IOException {
        JsonToken first = p.nextToken();
        if (first != JsonToken.START_OBJECT) {
            return Result.reject(RejectReason.NOT_OBJECT, "top-level JSON value is " + describe(first));
        }
        String eventId = null, tenantId = null, eventType = null;
        Long timestamp = null;
        Integer schemaVersion = null;
        double value = 1.0;
        boolean valueSeen = false;
        long distinctHash = 0;

        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case RowCodec.EVENT_ID -> {
                    if (v != JsonToken.VALUE_STRING) return wrongType(field, "a string", v);
                    eventId = p.getText();
                }
                case RowCodec.TENANT_ID -> {
                    if (v != JsonToken.VALUE_STRING) return wrongType(field, "a string", v);
                    tenantId = p.getText();
                }
                case RowCodec.EVENT_TYPE -> {
                    if (v != JsonToken.VALUE_STRING) return wrongType(field, "a string", v);
                    eventType = p.getText();
                }
                case RowCodec.TIMESTAMP -> {
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        JsonParser.NumberType nt = p.getNumberType();
                        if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                            return Result.reject(
                                    RejectReason.INVALID_TIMESTAMP,
                                    "timestamp " + clip(p.getText()) + " is out of range of epoch milliseconds");
                        }
                        timestamp = p.getLongValue();
                    } else if (v == JsonToken.VALUE_STRING) {
                        String text = p.getText();
                        long ms = Rfc3339.parseMillis(text);
                        if (ms == Rfc3339.INVALID) {
                            return Result.reject(
                                    RejectReason.INVALID_TIMESTAMP,
                                    "timestamp '" + clip(text)
                                            + "' is not RFC 3339 (YYYY-MM-DDTHH:MM:SS[.1-9 digits] then Z or +hh:mm/-hh:mm)");
                        }
                        timestamp = ms;
                    } else {
                        return wrongType(field, "epoch milliseconds (an integer) or an RFC 3339 string", v);
                    }
                }
                case RowCodec.PAYLOAD -> {
                    if (v != JsonToken.START_OBJECT) return wrongType(field, "an object", v);
                    if (distinctPath == null) p.skipChildren();
                    else distinctHash = findDistinct(p, 0);
                }
                case RowCodec.VALUE -> {
                    if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                        return wrongType(field, "a number", v);
                    }
                    value = p.getDoubleValue();
                    valueSeen = true;
                }
                case RowCodec.SCHEMA_VERSION -> {
                    if (v != JsonToken.VALUE_NUMBER_INT) return wrongType(field, "an integer", v);
                    schemaVersion = p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : -1;
                }
                default -> p.skipChildren(); // unknown fields
            }
        }
        if (p.nextToken() != null) {
            return Result.reject(RejectReason.NOT_JSON, "trailing data after the JSON object");
        }

        if (schemaVersion == null) return missing(RowCodec.SCHEMA_VERSION);
        if (schemaVersion != CURRENT_SCHEMA_VERSION) {
            return Result.reject(
                    RejectReason.UNKNOWN_SCHEMA_VERSION,
                    "schema_version " + schemaVersion + " (supported: " + CURRENT_SCHEMA_VERSION + ")");
        }
        if (eventId == null) return missing(RowCodec.EVENT_ID);
        if (eventId.isEmpty() || eventId.length() > MAX_EVENT_ID_LENGTH) {
            return Result.reject(
                    RejectReason.INVALID_EVENT_ID, "event_id must be 1.." + MAX_EVENT_ID_LENGTH + " characters");
        }
        if (tenantId == null) return missing(RowCodec.TENANT_ID);
        if (!Names.isName(tenantId)) {
            return Result.reject(
                    RejectReason.INVALID_TENANT_ID, "tenant_id '" + clip(tenantId) + "' must match " + Names.RULE);
        }
        if (eventType == null) return missing(RowCodec.EVENT_TYPE);
        if (!Names.isName(eventType)) {
            return Result.reject(
                    RejectReason.INVALID_EVENT_TYPE, "event_type '" + clip(eventType) + "' must match " + Names.RULE);
        }
        if (timestamp == null) return missing(RowCodec.TIMESTAMP);
        if (timestamp < 0) {
            return Result.reject(RejectReason.INVALID_TIMESTAMP, "timestamp " + timestamp + " is before 1970");
        }
        if (timestamp - nowMs > maxFutureMs) {
            return Result.reject(
                    RejectReason.FUTURE_TIMESTAMP,
                    "timestamp " + timestamp + " is " + (timestamp - nowMs) + " ms ahead of the record's time " + nowMs
                            + " (limit " + maxFutureMs + " ms)");
        }
        if (valueSeen && !Double.isFinite(value)) {
            return Result.reject(RejectReason.NON_FINITE_VALUE, "value is not a finite number");
        }
        Event e = new Event(eventId, tenantId, eventType, timestamp, value);
        return Result.ok(distinctHash == 0 ? e : e.withDistinctHash(distinctHash));
    }

    /**
     * Reads the object the parser is at (its START_OBJECT consumed) to its end, returning the hash of
     * the scalar at {@code distinctPath[depth..]} (strings, numbers and booleans by their JSON text),
     * or 0 when there is none.
     */
    private long findDistinct(JsonParser p, int depth) throws IOException {
        long hash = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (!name.equals(distinctPath[depth])) {
                p.skipChildren();
            } else if (depth == distinctPath.length - 1) {
                if (v.isScalarValue() && v != JsonToken.VALUE_NULL) hash = DistinctSketch.hash(p.getText());
                else p.skipChildren();
            } else if (v == JsonToken.START_OBJECT) {
                hash = findDistinct(p, depth + 1);
            } else {
                p.skipChildren();
            }
        }
        return hash;
    }

    private static Result missing(String field) {
        return Result.reject(RejectReason.MISSING_FIELD, field + " is missing");
    }

    private static Result wrongType(String field, String expected, JsonToken got) {
        return Result.reject(RejectReason.WRONG_TYPE, field + " must be " + expected + ", got " + describe(got));
    }

    private static String describe(JsonToken t) {
        if (t == null) return "nothing";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
