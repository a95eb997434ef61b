package io.rollcast.jobs;

import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.operators.EventParser;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parses each Kafka record inside the source, so watermarks are generated per partition from
 * validated timestamps. Never throws: a bad record becomes a {@link Rejected} with its original
 * bytes and position.
 */
public final class IngestDeserializer implements KafkaRecordDeserializationSchema<Ingested> {
    private static final long serialVersionUID = 1L;

    private final EventParser parser;

    public IngestDeserializer(EventParser parser) {
        this.parser = parser;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) {
        EventParser.Result r = parser.parse(record.value(), System.currentTimeMillis());
        if (r.isValid()) {
            out.collect(Ingested.of(r.event()));
        } else {
            out.collect(Ingested.of(new Rejected(r.reason(), r.detail(), record.key(), record.value(),
                    record.topic(), record.partition(), record.offset())));
        }
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }
}
