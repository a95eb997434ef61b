package io.rollcast.jobs.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.operators.EventParser;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The job's parser reads every record of the hostile stream as the stream says it must: the
 * required dead-letter reason, or exactly the event (time to the millisecond, value bit for bit).
 */
class HostileStreamTest {
    @Test
    void theParserReadsEveryHostileRecordAsTheContractRequires() {
        EventParser parser = new EventParser(4096, 3_600_000L);
        Map<String, Integer> classes = new TreeMap<>();
        for (HostileStream.Rec r : HostileStream.generate(7, 30_000, 1_767_225_600_000L, 4096)) {
            classes.merge(r.kind(), 1, Integer::sum);
            EventParser.Result res = parser.parse(r.value(), r.createTime());
            String what = r.kind() + ": "
                    + new String(
                            r.value(), 0, Math.min(r.value().length, 300), java.nio.charset.StandardCharsets.UTF_8);
            if (r.reason() != null) {
                assertThat(res.isValid()).as(what).isFalse();
                assertThat(res.reason().code()).as(what + " -> " + res.detail()).isEqualTo(r.reason());
            } else {
                assertThat(res.isValid()).as(what + " -> " + res.detail()).isTrue();
                assertThat(res.event().tenantId()).as(what).isEqualTo(r.event().tenant());
                assertThat(res.event().eventType()).as(what).isEqualTo(r.event().type());
                assertThat(res.event().timestamp()).as(what).isEqualTo(r.event().ts());
                assertThat(Double.doubleToRawLongBits(res.event().value()))
                        .as(what)
                        .isEqualTo(Double.doubleToRawLongBits(r.event().value()));
            }
        }
        assertThat(classes)
                .containsKeys(
                        "in-order",
                        "out-of-order",
                        "late",
                        "too-late",
                        "minute-boundary",
                        "fast-clock",
                        "duplicate",
                        "bad:future_timestamp",
                        "bad:wrong_type",
                        "bad:invalid_timestamp",
                        "bad:not_json",
                        "bad:too_large",
                        "bad:not_object",
                        "bad:missing_field",
                        "bad:invalid_tenant_id",
                        "bad:non_finite_value",
                        "bad:unknown_schema_version",
                        "bad:invalid_event_id");
    }
}
