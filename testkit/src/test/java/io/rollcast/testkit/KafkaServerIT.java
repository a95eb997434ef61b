package io.rollcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
@Timeout(120)
class KafkaServerIT {

    @Test
    void producedRecordIsConsumedFromFreshTopic(KafkaServer kafka) throws Exception {
        String topic = kafka.freshTopic("events", 2);

        RecordMetadata sent;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.producerProperties())) {
            sent = producer.send(new ProducerRecord<>(topic, "tenant-a", "{\"tenant_id\":\"tenant-a\",\"value\":1}"))
                    .get();
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(kafka.consumerProperties("it-" + topic))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }

        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("tenant-a");
            assertThat(r.value()).isEqualTo("{\"tenant_id\":\"tenant-a\",\"value\":1}");
            assertThat(r.partition()).isEqualTo(sent.partition());
            assertThat(r.offset()).isEqualTo(sent.offset());
        });
    }
}
