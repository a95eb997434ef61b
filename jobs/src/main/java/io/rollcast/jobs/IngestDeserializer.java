package io.rollcast.jobs;

import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.operators.EventParser;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Parses each Kafka record inside the source, so watermarks are generated per partition from
 * validated timestamps. Never throws: a bad record becomes a {@link Rejected} with its original
 * bytes and position (cut to {@code maxDeadLetterBytes}, with the original size and hash, when it
 * would not fit in a dead-letter request).
 *
 * <p>Validation is deterministic: the future-timestamp check is judged against the record's own
 * Kafka timestamp (CreateTime or LogAppendTime), the wall clock only for a record without one.
 */
public final class IngestDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final long serialVersionUID = 1L;
    /** Keys are tenant ids; a key longer than this in a dead letter is cut like an oversized value. */
    static final int MAX_DEAD_LETTER_KEY_BYTES = 16_384;

    private final EventParser parser;
    private final int maxDeadLetterBytes;

    public IngestDeserializer(EventParser parser, int maxDeadLetterBytes) {
        this.parser = parser;
        this.maxDeadLetterBytes = maxDeadLetterBytes;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        out.collect(ingest(
                record.value(),
                record.key(),
                record.topic(),
                record.partition(),
                record.offset(),
                referenceTime(record.timestampType(), record.timestamp())));
    }

    /** The time the future check is judged against: the record's, else (no timestamp) the wall clock. */
    static long referenceTime(TimestampType type, long timestamp) {
        return type == TimestampType.NO_TIMESTAMP_TYPE || timestamp < 0 ? System.currentTimeMillis() : timestamp;
    }

    Ingested ingest(byte[] value, byte[] key, String topic, int partition, long offset, long referenceTime) {
        EventParser.Result r = parser.parse(value, referenceTime);
        if (r.isValid()) return Ingested.of(r.event().at(partition, offset));
        boolean cutKey = key != null && key.length > MAX_DEAD_LETTER_KEY_BYTES;
        boolean cutValue = value != null && value.length > maxDeadLetterBytes;
        if (!cutKey && !cutValue) {
            return Ingested.of(new Rejected(r.reason(), r.detail(), key, value, topic, partition, offset));
        }
        Rejected.Truncation t = new Rejected.Truncation(
                key == null ? -1 : key.length, cutKey ? sha256(key) : null,
                value == null ? -1 : value.length, cutValue ? sha256(value) : null);
        return Ingested.of(new Rejected(
                r.reason(),
                r.detail(),
                cutKey ? Arrays.copyOf(key, MAX_DEAD_LETTER_KEY_BYTES) : key,
                cutValue ? Arrays.copyOf(value, maxDeadLetterBytes) : value,
                topic,
                partition,
                offset,
                t));
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
