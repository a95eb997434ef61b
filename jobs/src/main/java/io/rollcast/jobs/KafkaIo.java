package io.rollcast.jobs;

import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.EventParser;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The job's Kafka source and sinks, built from {@link JobConfig}. */
public final class KafkaIo {
    /** Header names of dead-letter records. */
    public static final String H_REASON = "rollcast.reason";

    public static final String H_DETAIL = "rollcast.detail";
    public static final String H_TOPIC = "rollcast.source.topic";
    public static final String H_PARTITION = "rollcast.source.partition";
    public static final String H_OFFSET = "rollcast.source.offset";
    /** Set on a dead letter cut to fit: {@code key}, {@code value} or {@code key,value}. */
    public static final String H_TRUNCATED = "rollcast.truncated";

    public static final String H_KEY_BYTES = "rollcast.original.key-bytes";
    public static final String H_KEY_SHA256 = "rollcast.original.key-sha256";
    public static final String H_VALUE_BYTES = "rollcast.original.value-bytes";
    public static final String H_VALUE_SHA256 = "rollcast.original.value-sha256";

    private KafkaIo() {}

    public static KafkaSource<Ingested> source(JobConfig cfg) {
        KafkaSourceBuilder<Ingested> b = KafkaSource.<Ingested>builder()
                .setBootstrapServers(cfg.kafkaBootstrap())
                .setTopics(cfg.kafkaTopic())
                .setGroupId(cfg.kafkaGroupId())
                .setDeserializer(new IngestDeserializer(
                        new EventParser(cfg.maxRecordBytes(), cfg.maxFuture().toMillis(), cfg.distinctPath()),
                        cfg.dlqMaxValueBytes()))
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                .setStartingOffsets(
                        switch (cfg.kafkaStartingOffsets()) {
                            case "earliest" -> OffsetsInitializer.earliest();
                            case "latest" -> OffsetsInitializer.latest();
                            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                        });
        if (cfg.kafkaBounded()) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    public static KafkaSink<Rejected> dlqSink(JobConfig cfg) {
        String topic = cfg.dlqTopic();
        return KafkaSink.<Rejected>builder()
                .setBootstrapServers(cfg.kafkaBootstrap())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer((KafkaRecordSerializationSchema<Rejected>) (r, ctx, ts) -> {
                    RecordHeaders h = new RecordHeaders();
                    h.add(new RecordHeader(H_REASON, utf8(r.reason().code())));
                    h.add(new RecordHeader(H_DETAIL, utf8(r.detail())));
                    h.add(new RecordHeader(H_TOPIC, utf8(r.topic())));
                    h.add(new RecordHeader(H_PARTITION, utf8(Integer.toString(r.partition()))));
                    h.add(new RecordHeader(H_OFFSET, utf8(Long.toString(r.offset()))));
                    Rejected.Truncation t = r.original();
                    if (t != null) {
                        h.add(new RecordHeader(
                                H_TRUNCATED,
                                utf8(
                                        t.keySha256() != null && t.valueSha256() != null
                                                ? "key,value"
                                                : t.keySha256() != null ? "key" : "value")));
                        h.add(new RecordHeader(H_KEY_BYTES, utf8(Integer.toString(t.keyBytes()))));
                        if (t.keySha256() != null) h.add(new RecordHeader(H_KEY_SHA256, utf8(t.keySha256())));
                        h.add(new RecordHeader(H_VALUE_BYTES, utf8(Integer.toString(t.valueBytes()))));
                        if (t.valueSha256() != null) h.add(new RecordHeader(H_VALUE_SHA256, utf8(t.valueSha256())));
                    }
                    return new ProducerRecord<>(topic, null, null, r.key(), r.value(), h);
                })
                .build();
    }

    public static KafkaSink<Event> lateSink(JobConfig cfg) {
        String topic = cfg.lateTopic();
        String sourceTopic = cfg.kafkaTopic();
        return KafkaSink.<Event>builder()
                .setBootstrapServers(cfg.kafkaBootstrap())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer((KafkaRecordSerializationSchema<Event>) (e, ctx, ts) -> {
                    RecordHeaders h = new RecordHeaders();
                    h.add(new RecordHeader(H_REASON, utf8("too_late")));
                    // the dedup key of a late event, as of a dead letter: a restart may repeat it, never change it
                    h.add(new RecordHeader(H_TOPIC, utf8(sourceTopic)));
                    h.add(new RecordHeader(H_PARTITION, utf8(Integer.toString(e.partition()))));
                    h.add(new RecordHeader(H_OFFSET, utf8(Long.toString(e.offset()))));
                    return new ProducerRecord<>(topic, null, null, utf8(e.tenantId()), RowCodec.eventJson(e), h);
                })
                .build();
    }

    public static KafkaSink<WindowRow> rowsSink(JobConfig cfg) {
        String topic = cfg.rowsTopic();
        return KafkaSink.<WindowRow>builder()
                .setBootstrapServers(cfg.kafkaBootstrap())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer((KafkaRecordSerializationSchema<WindowRow>)
                        (r, ctx, ts) -> new ProducerRecord<>(topic, utf8(r.tenantId()), RowCodec.rowJson(r)))
                .build();
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
