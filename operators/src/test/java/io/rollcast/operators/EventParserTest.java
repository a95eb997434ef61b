package io.rollcast.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Event;
import io.rollcast.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {
    private static final long NOW = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private final EventParser parser = new EventParser(1024, 3_600_000L);

    private EventParser.Result parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void parsesAValidEventWithEpochMillis() {
        var r = parse("{\"event_id\":\"e1\",\"tenant_id\":\"acme\",\"event_type\":\"page.view\","
                + "\"timestamp\":1767225500000,\"value\":2.5,\"schema_version\":1,\"payload\":{\"a\":[1,2]}}");
        assertThat(r.isValid()).isTrue();
        assertThat(r.event()).isEqualTo(new Event("e1", "acme", "page.view", 1_767_225_500_000L, 2.5));
    }

    @Test
    void parsesIsoTimestampsWithOffsetAndDefaultsValueToOne() {
        var r = parse("{\"event_id\":\"e1\",\"tenant_id\":\"acme\",\"event_type\":\"click\","
                + "\"timestamp\":\"2025-12-31T23:00:00+01:00\",\"schema_version\":1}");
        assertThat(r.event().timestamp()).isEqualTo(1_767_218_400_000L);
        assertThat(r.event().value()).isEqualTo(1.0);
    }

    @Test
    void ignoresUnknownFields() {
        var r = parse("{\"event_id\":\"e1\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":1,"
                + "\"schema_version\":1,\"extra\":{\"deep\":[{}]}}");
        assertThat(r.isValid()).isTrue();
    }

    static Stream<Arguments> badRecords() {
        String ok = "\"event_id\":\"e1\",\"event_type\":\"x\",\"timestamp\":1000,\"schema_version\":1";
        return Stream.of(
                Arguments.of("not json", "hello", RejectReason.NOT_JSON),
                Arguments.of("truncated json", "{\"tenant_id\":\"t\"", RejectReason.NOT_JSON),
                Arguments.of("trailing garbage", "{\"tenant_id\":\"t\"," + ok + "} x", RejectReason.NOT_JSON),
                Arguments.of("json array", "[1,2]", RejectReason.NOT_OBJECT),
                Arguments.of("json string", "\"event\"", RejectReason.NOT_OBJECT),
                Arguments.of("missing tenant", "{" + ok + "}", RejectReason.MISSING_FIELD),
                Arguments.of(
                        "tenant with a space", "{\"tenant_id\":\"a b\"," + ok + "}", RejectReason.INVALID_TENANT_ID),
                Arguments.of(
                        "tenant with a colon", "{\"tenant_id\":\"a:b\"," + ok + "}", RejectReason.INVALID_TENANT_ID),
                Arguments.of(
                        "tenant too long",
                        "{\"tenant_id\":\"" + "a".repeat(65) + "\"," + ok + "}",
                        RejectReason.INVALID_TENANT_ID),
                Arguments.of("empty tenant", "{\"tenant_id\":\"\"," + ok + "}", RejectReason.INVALID_TENANT_ID),
                Arguments.of(
                        "missing timestamp",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"schema_version\":1}",
                        RejectReason.MISSING_FIELD),
                Arguments.of(
                        "unparsable timestamp",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":\"yesterday\",\"schema_version\":1}",
                        RejectReason.INVALID_TIMESTAMP),
                Arguments.of(
                        "timestamp without offset",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":\"2026-01-01T00:00:00\",\"schema_version\":1}",
                        RejectReason.INVALID_TIMESTAMP),
                Arguments.of(
                        "timestamp as a float",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":1.5,\"schema_version\":1}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "timestamp two hours ahead",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":"
                                + (NOW + 7_200_000L) + ",\"schema_version\":1}",
                        RejectReason.FUTURE_TIMESTAMP),
                Arguments.of(
                        "value is a string",
                        "{\"tenant_id\":\"t\",\"value\":\"3\"," + ok + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "value is NaN as a string",
                        "{\"tenant_id\":\"t\",\"value\":\"NaN\"," + ok + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "value NaN literal", "{\"tenant_id\":\"t\",\"value\":NaN," + ok + "}", RejectReason.NOT_JSON),
                Arguments.of(
                        "value overflows to infinity",
                        "{\"tenant_id\":\"t\",\"value\":1e400," + ok + "}",
                        RejectReason.NON_FINITE_VALUE),
                Arguments.of("value null", "{\"tenant_id\":\"t\",\"value\":null," + ok + "}", RejectReason.WRONG_TYPE),
                Arguments.of(
                        "unknown schema version",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":1,\"schema_version\":2}",
                        RejectReason.UNKNOWN_SCHEMA_VERSION),
                Arguments.of(
                        "missing schema version",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":1}",
                        RejectReason.MISSING_FIELD),
                Arguments.of(
                        "event_type is a number",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":7,\"timestamp\":1,\"schema_version\":1}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "tenant_id is an object",
                        "{\"event_id\":\"e\",\"tenant_id\":{},\"event_type\":\"x\",\"timestamp\":1,\"schema_version\":1}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "event id too long",
                        "{\"event_id\":\"" + "e".repeat(129)
                                + "\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":1,\"schema_version\":1}",
                        RejectReason.INVALID_EVENT_ID),
                Arguments.of(
                        "record over the size limit",
                        "{\"tenant_id\":\"t\",\"pad\":\"" + "x".repeat(1100) + "\"," + ok + "}",
                        RejectReason.TOO_LARGE),
                Arguments.of("empty record", "", RejectReason.NOT_JSON),
                // the loosely accepted classes that poisoned the watermark in the hostile replay
                Arguments.of(
                        "payload is a string",
                        "{\"tenant_id\":\"t\",\"payload\":\"text\"," + ok + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "payload is an array",
                        "{\"tenant_id\":\"t\",\"payload\":[1,2]," + ok + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "payload is a number",
                        "{\"tenant_id\":\"t\",\"payload\":3," + ok + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "payload is null",
                        "{\"tenant_id\":\"t\",\"payload\":null," + ok + "}",
                        RejectReason.WRONG_TYPE),
                Arguments.of(
                        "a dot without fraction digits", ts("2026-11-22T04:02:53.Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of(
                        "ten fraction digits", ts("2026-01-01T00:00:00.1234567890Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("offset without a colon", ts("2026-01-01T00:00:00+0100"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("offset hours only", ts("2026-01-01T00:00:00+01"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("offset with seconds", ts("2026-01-01T00:00:00+01:00:00"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("a space instead of T", ts("2026-01-01 00:00:00Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("a named zone", ts("2026-01-01T00:00:00Z[UTC]"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("31 April", ts("2026-04-31T00:00:00Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of(
                        "29 February of a common year", ts("2025-02-29T00:00:00Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("hour 24", ts("2026-01-01T24:00:00Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("a leap second", ts("2016-12-31T23:59:60Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("single-digit month", ts("2026-1-01T00:00:00Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("a date only", ts("2026-01-01"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of("full-width digits", ts("２026-01-01T00:00:00Z"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of(
                        "epoch millis beyond a long",
                        "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":99999999999999999999,\"schema_version\":1}",
                        RejectReason.INVALID_TIMESTAMP),
                Arguments.of("epoch millis as a string", ts("1767225600000"), RejectReason.INVALID_TIMESTAMP),
                Arguments.of(
                        "a decoy second tenant_id",
                        "{\"tenant_id\":\"t\",\"tenant_id\":\"other\"," + ok + "}",
                        RejectReason.NOT_JSON));
    }

    private static String ts(String timestamp) {
        return "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":\"" + timestamp
                + "\",\"schema_version\":1}";
    }

    @ParameterizedTest(name = "{0} is rejected as {2}")
    @MethodSource("badRecords")
    void rejectsBadRecordsWithAMachineReadableReason(String name, String json, RejectReason expected) {
        var r = parse(json);
        assertThat(r.isValid()).as(name).isFalse();
        assertThat(r.reason()).as(name + ": " + r.detail()).isEqualTo(expected);
        assertThat(r.detail()).isNotBlank();
    }

    @Test
    void acceptsEveryRfc3339FormOfTheSameInstant() {
        long t = 1_767_225_600_123L; // 2026-01-01T00:00:00.123Z
        for (String text : new String[] {
            "2026-01-01T00:00:00.123Z",
            "2026-01-01t00:00:00.123z",
            "2026-01-01T00:00:00.123000000Z",
            "2026-01-01T00:00:00.1239Z",
            "2026-01-01T01:30:00.123+01:30",
            "2025-12-31T14:00:00.123-10:00",
            "2026-01-01T00:00:00.123-00:00",
            "2026-01-01T23:59:00.123+23:59"
        }) {
            var r = parse(ts(text));
            assertThat(r.isValid()).as(text + ": " + r.detail()).isTrue();
            assertThat(r.event().timestamp()).as(text).isEqualTo(t);
        }
        assertThat(parse(ts("2026-01-01T00:00:00Z")).event().timestamp()).isEqualTo(1_767_225_600_000L);
        assertThat(parse(ts("2024-02-29T12:00:00.5+00:00")).event().timestamp()).isEqualTo(1_709_208_000_500L);
    }

    @Test
    void rfc3339AgreesWithJavaTimeOnRandomInstantsAndOffsets() {
        var rnd = new java.util.SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            long ms = rnd.nextLong(0, 253_402_300_799_000L); // 1970 .. 9999
            int offsetMin =
                    rnd.nextInt(-18 * 60, 18 * 60 + 1); // java.time's range; ±18:01..23:59 are checked by hand above
            int digits = rnd.nextInt(0, 10);
            var odt = java.time.Instant.ofEpochMilli(ms)
                    .plusNanos(rnd.nextInt(1_000_000))
                    .atOffset(java.time.ZoneOffset.ofTotalSeconds(offsetMin * 60));
            String frac = digits == 0
                    ? ""
                    : "." + String.format("%09d", odt.getNano()).substring(0, digits);
            String off = String.format(
                    "%s%02d:%02d", offsetMin < 0 ? "-" : "+", Math.abs(offsetMin) / 60, Math.abs(offsetMin) % 60);
            String text =
                    odt.format(java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")) + frac + off;
            long expected = java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli();
            assertThat(Rfc3339.parseMillis(text)).as(text).isEqualTo(expected);
        }
    }

    @Test
    void judgesTheFutureAgainstTheRecordTimeItIsGivenNotTheWallClock() {
        String json = "{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":" + (NOW + 7_200_000L)
                + ",\"schema_version\":1}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        // a record written two hours after NOW carries that time: the same bytes are valid for it, today or a year
        // later
        assertThat(parser.parse(b, NOW + 7_200_000L).isValid()).isTrue();
        assertThat(parser.parse(b, NOW).reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(parser.parse(b, NOW).detail()).contains("record's time");
    }

    @Test
    void neverThrowsOnRandomBytes() {
        var rnd = new java.util.SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            for (int j = 0; j < b.length; j++) b[j] = (byte) rnd.nextInt(256);
            var r = parser.parse(b, NOW);
            assertThat(r.isValid() || r.reason() != null).isTrue();
        }
    }
}
