package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole job through a real Kafka broker: source, parse, watermarks with alignment, rollups and the Kafka sinks. */
@ExtendWith(RealServers.class)
public class RollupJobKafkaIT {
    static final int N = 100_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void rowsOnTheChangelogTopicEqualTheOracleAndBadRecordsReachTheDeadLetterTopic(KafkaServer kafka) throws Exception {
        String in = kafka.freshTopic("events", 4);
        String rows = kafka.freshTopic("rollups", 2);
        String dlq = kafka.freshTopic("dlq", 1);
        String late = kafka.freshTopic("late", 1);
        EventGenerator gen = new EventGenerator(GeneratorConfig.mixed(7, 1_767_225_600_000L));
        try (var producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < N; i++) {
                var g = gen.get(i);
                producer.send(new ProducerRecord<>(in, g.key(), g.value()));
            }
            producer.flush();
        }

        JobConfig cfg = JobConfig.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.topic", in)
                .with("kafka.rows-topic", rows)
                .with("kafka.dlq-topic", dlq)
                .with("kafka.late-topic", late)
                .with("kafka.starting-offsets", "earliest")
                .with("kafka.bounded", "true")
                .with("watermark.alignment.max-drift", "20s")
                .with("windows.dedup-horizon", "10m")
                .with("windows.early-interval", "200ms")
                .with("checkpoint.interval", "1s")
                .with("job.parallelism", "2");
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(KafkaIo.source(cfg), RollupJob.watermarks(cfg), "kafka-events")
                        .uid("kafka-events"),
                cfg);
        RollupJob.sinks(out, cfg);
        env.execute("kafka-it");

        ObjectMapper json = new ObjectMapper();
        List<WindowRow> rowList = new ArrayList<>();
        for (var r : readAll(kafka, rows)) {
            JsonNode n = json.readTree(r.value());
            rowList.add(new WindowRow(
                    n.get("tenant_id").asText(),
                    n.get("event_type").asText(),
                    n.get("spec").asText(),
                    n.get("window_start").asLong(),
                    n.get("window_end").asLong(),
                    n.get("count").asLong(),
                    n.get("sum").asDouble(),
                    n.get("min").asDouble(),
                    n.get("max").asDouble(),
                    Kind.valueOf(n.get("kind").asText().toUpperCase()),
                    n.get("version").asLong(),
                    n.get("emitted_at").asLong()));
            assertThat(new String(r.key(), StandardCharsets.UTF_8))
                    .isEqualTo(n.get("tenant_id").asText());
        }
        Set<String> dropped = new HashSet<>();
        for (var r : readAll(kafka, late))
            dropped.add(json.readTree(r.value()).get("event_id").asText());

        Map<String, Long> reasons = new TreeMap<>();
        Set<String> badValues = new HashSet<>();
        Set<String> positions = new HashSet<>(); // the DLQ sink is at-least-once: a restart may repeat records
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(kafka, dlq);
        for (var r : dead) {
            reasons.merge(
                    new String(r.headers().lastHeader(KafkaIo.H_REASON).value(), StandardCharsets.UTF_8),
                    1L,
                    Long::sum);
            assertThat(new String(r.headers().lastHeader(KafkaIo.H_TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(in);
            assertThat(r.headers().lastHeader(KafkaIo.H_OFFSET)).isNotNull();
            positions.add(new String(r.headers().lastHeader(KafkaIo.H_PARTITION).value(), StandardCharsets.UTF_8) + "@"
                    + new String(r.headers().lastHeader(KafkaIo.H_OFFSET).value(), StandardCharsets.UTF_8));
            badValues.add(new String(r.value(), StandardCharsets.UTF_8));
        }

        Set<String> tooLateLabelled = new HashSet<>();
        Set<String> expectedBad = new HashSet<>();
        long bad = 0;
        for (long i = 0; i < N; i++) {
            var g = gen.get(i);
            if (g.label() == EventGenerator.Label.TOO_LATE)
                tooLateLabelled.add(g.event().eventId());
            if (g.label() == EventGenerator.Label.BAD) {
                bad++;
                expectedBad.add(new String(g.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(tooLateLabelled).containsAll(dropped);
        assertThat(dropped.size()).isGreaterThan(tooLateLabelled.size() / 2);
        assertThat((long) positions.size()).as("distinct dead letters").isEqualTo(bad);
        assertThat(badValues).isEqualTo(expectedBad);
        assertThat(reasons.keySet())
                .contains(
                        "not_json",
                        "not_object",
                        "missing_field",
                        "invalid_tenant_id",
                        "invalid_timestamp",
                        "wrong_type",
                        "non_finite_value",
                        "unknown_schema_version",
                        "too_large");

        var expected = Oracle.expected(gen, N, cfg.windowSpecs(), dropped);
        var actual = Oracle.values(Oracle.latest(rowList));
        assertThat(Oracle.diff(expected, actual, 20)).isEmpty();
        assertThat(actual).hasSize(expected.size());
        System.out.printf(
                "kafka IT: %d records, %d rows on %s, %d windows, dlq reasons %s, %d too late%n",
                N, rowList.size(), rows, actual.size(), reasons, dropped.size());
    }

    /** Every record of {@code topic}, from the beginning to the end offsets of now. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaServer kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(
                kafka.consumerProperties("it-" + topic), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
