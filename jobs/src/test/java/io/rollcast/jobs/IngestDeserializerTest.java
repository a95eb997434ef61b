package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Ingested;
import io.rollcast.model.RejectReason;
import io.rollcast.operators.EventParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class IngestDeserializerTest {
    private static final long JAN_2026 = 1_767_225_600_000L;
    private final IngestDeserializer d = new IngestDeserializer(new EventParser(65_536, 3_600_000L), 1000);

    private List<Ingested> read(long recordTs, TimestampType type, byte[] key, byte[] value) {
        var rec = new ConsumerRecord<>(
                "events", 3, 42L, recordTs, type, -1, -1, key, value, new RecordHeaders(), Optional.empty());
        List<Ingested> out = new ArrayList<>();
        d.deserialize(rec, new org.apache.flink.util.Collector<>() {
            @Override
            public void collect(Ingested i) {
                out.add(i);
            }

            @Override
            public void close() {}
        });
        return out;
    }

    private static byte[] event(long ts) {
        return ("{\"event_id\":\"e\",\"tenant_id\":\"t\",\"event_type\":\"x\",\"timestamp\":" + ts
                        + ",\"schema_version\":1}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aReplayYearsLaterDecidesTheFutureCheckAsTheLiveRunDid() {
        // written in January 2026 with CreateTime = event time + 30 min: valid then, valid in any replay
        long ts = JAN_2026 + 1_800_000L;
        for (TimestampType t : new TimestampType[] {TimestampType.CREATE_TIME, TimestampType.LOG_APPEND_TIME}) {
            Ingested in = read(JAN_2026, t, null, event(ts)).get(0);
            assertThat(in.isValid()).isTrue();
            assertThat(in.event().partition()).isEqualTo(3);
            assertThat(in.event().offset()).isEqualTo(42L);
        }
        // two hours ahead of its own record time: rejected, whatever the wall clock says now
        assertThat(read(JAN_2026, TimestampType.CREATE_TIME, null, event(JAN_2026 + 7_200_000L))
                        .get(0)
                        .rejected()
                        .reason())
                .isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        // no record timestamp: the wall clock decides
        assertThat(read(-1, TimestampType.NO_TIMESTAMP_TYPE, null, event(System.currentTimeMillis() + 7_200_000L))
                        .get(0)
                        .rejected()
                        .reason())
                .isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(read(-1, TimestampType.NO_TIMESTAMP_TYPE, null, event(JAN_2026))
                        .get(0)
                        .isValid())
                .isTrue();
    }

    @Test
    void aDeadLetterTooLargeForItsProducerIsCutAndCarriesTheOriginalSizeAndHash() {
        byte[] value = new byte[70_000];
        Arrays.fill(value, (byte) 'y');
        byte[] key = new byte[20_000];
        Arrays.fill(key, (byte) 'k');
        var r = read(JAN_2026, TimestampType.CREATE_TIME, key, value).get(0).rejected();
        assertThat(r.reason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(r.value()).hasSize(1000).containsOnly((byte) 'y');
        assertThat(r.key()).hasSize(IngestDeserializer.MAX_DEAD_LETTER_KEY_BYTES);
        assertThat(r.original().valueBytes()).isEqualTo(70_000);
        assertThat(r.original().valueSha256())
                .isEqualTo(IngestDeserializer.sha256(value))
                .hasSize(64);
        assertThat(r.original().keyBytes()).isEqualTo(20_000);
        assertThat(r.original().keySha256()).isEqualTo(IngestDeserializer.sha256(key));
        // a small dead letter stays whole and says nothing about truncation
        var small = read(JAN_2026, TimestampType.CREATE_TIME, null, "nope".getBytes(StandardCharsets.UTF_8))
                .get(0)
                .rejected();
        assertThat(small.value()).isEqualTo("nope".getBytes(StandardCharsets.UTF_8));
        assertThat(small.original()).isNull();
    }
}
