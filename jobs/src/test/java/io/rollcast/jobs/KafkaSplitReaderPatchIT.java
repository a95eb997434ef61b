package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.kafka.source.metrics.KafkaSourceReaderMetrics;
import org.apache.flink.connector.kafka.source.reader.KafkaPartitionSplitReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * FLINK-39728 against a real broker: watermark alignment asks the split reader to pause a split
 * whose partition the reader has already unassigned, because the split reached its stopping offset
 * in {@code fetch()} (or was empty from the start) while the source reader's main thread still
 * counted it as active. The connector's 5.0.0-2.2 reader fails the task with
 * {@code IllegalStateException: No current assignment for partition}; the copy carried in
 * {@code jobs/src/main/java} (upstream commit eb8ff700) skips it. Both are driven the same way: the
 * connector's class is loaded from its jar by {@link StockConnector}, the patched one from the
 * classpath, where it shadows the connector's.
 */
@ExtendWith(RealServers.class)
class KafkaSplitReaderPatchIT {
    static final String READER = KafkaPartitionSplitReader.class.getName();
    static final int RECORDS = 10;

    @Test
    void thePatchedSplitReaderShadowsTheConnectorsOnTheClasspath() throws Exception {
        Path patched = Path.of(KafkaPartitionSplitReader.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        assertThat(patched).isDirectory().isNotEqualTo(StockConnector.jar());
        assertThat(Files.readAllBytes(patched.resolve(READER.replace('.', '/') + ".class")))
                .isNotEqualTo(StockConnector.classBytes(READER));
    }

    @Test
    void pausingASplitThatJustReachedItsStoppingOffsetFailsTheConnectorsReaderButNotThePatchedOne(KafkaServer kafka)
            throws Exception {
        // partition 1 holds half of its split for now, so that split is still running when the
        // split of partition 0 reaches its stopping offset
        String topic = kafka.freshTopic("split-reader", 2);
        produce(kafka, topic, 0, 0, RECORDS);
        produce(kafka, topic, 1, 0, RECORDS / 2);
        KafkaPartitionSplit finishing = new KafkaPartitionSplit(new TopicPartition(topic, 0), 0, 5);
        KafkaPartitionSplit running = new KafkaPartitionSplit(new TopicPartition(topic, 1), 0, RECORDS);

        try (Reader stock = new Reader(StockConnector.load(READER), kafka)) {
            stock.add(finishing, running);
            stock.fetchUntilFinished(finishing);
            assertThatThrownBy(() -> stock.reader.pauseOrResumeSplits(List.of(finishing), List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("No current assignment for partition " + topic + "-0");
        }

        try (Reader patched = new Reader(KafkaPartitionSplitReader.class, kafka)) {
            patched.add(finishing, running);
            patched.fetchUntilFinished(finishing);
            assertThat(patched.finished).doesNotContain(running.splitId());
            // alignment pauses both: the finished split is skipped, the running one is paused
            assertThatNoException()
                    .isThrownBy(() -> patched.reader.pauseOrResumeSplits(List.of(finishing, running), List.of()));
            produce(kafka, topic, 1, RECORDS / 2, RECORDS);
            int before = patched.read.getOrDefault(running.splitId(), 0);
            patched.fetchOnceWokenUpAfter(Duration.ofSeconds(1));
            assertThat(patched.read.getOrDefault(running.splitId(), 0))
                    .as("read while paused")
                    .isEqualTo(before);
            // ... and resumed: it is read to its end, every record once
            assertThatNoException()
                    .isThrownBy(() -> patched.reader.pauseOrResumeSplits(List.of(), List.of(finishing, running)));
            patched.fetchUntilFinished(running);
            assertThat(patched.read).containsEntry(finishing.splitId(), 5).containsEntry(running.splitId(), RECORDS);
        }
    }

    @Test
    void pausingAnEmptySplitFailsTheConnectorsReaderButNotThePatchedOne(KafkaServer kafka) throws Exception {
        String topic = kafka.freshTopic("split-reader", 2);
        produce(kafka, topic, 0, 0, RECORDS);
        produce(kafka, topic, 1, 0, RECORDS);
        // starts at its stopping offset: handleSplitsChanges unassigns it at once (removeEmptySplits)
        KafkaPartitionSplit empty = new KafkaPartitionSplit(new TopicPartition(topic, 0), RECORDS, RECORDS);
        KafkaPartitionSplit running = new KafkaPartitionSplit(new TopicPartition(topic, 1), 0, RECORDS);

        try (Reader stock = new Reader(StockConnector.load(READER), kafka)) {
            stock.add(empty, running);
            assertThatThrownBy(() -> stock.reader.pauseOrResumeSplits(List.of(empty), List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("No current assignment for partition " + topic + "-0");
        }

        try (Reader patched = new Reader(KafkaPartitionSplitReader.class, kafka)) {
            patched.add(empty, running);
            assertThatNoException()
                    .isThrownBy(() -> patched.reader.pauseOrResumeSplits(List.of(empty), List.of(running)));
            patched.fetchUntilFinished(running);
            patched.fetchUntilFinished(empty);
            assertThat(patched.read).doesNotContainKey(empty.splitId()).containsEntry(running.splitId(), RECORDS);
        }
    }

    /** Writes records {@code from} until {@code to} (exclusive) into one partition. */
    static void produce(KafkaServer kafka, String topic, int partition, int from, int to) throws Exception {
        try (var producer = new KafkaProducer<String, String>(kafka.producerProperties())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k", "p" + partition + "-" + i))
                        .get();
            }
        }
    }

    /** One split reader (the connector's or the patched class), and what it read per split. */
    static final class Reader implements AutoCloseable {
        final SplitReader<ConsumerRecord<byte[], byte[]>, KafkaPartitionSplit> reader;
        final Map<String, Integer> read = new HashMap<>();
        final Set<String> finished = new HashSet<>();

        @SuppressWarnings("unchecked")
        Reader(Class<?> readerClass, KafkaServer kafka) throws Exception {
            Properties props = new Properties();
            props.putAll(kafka.clientProperties());
            props.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "split-reader-patch");
            props.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
            props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.setProperty("client.id.prefix", "split-reader-patch");
            SourceReaderMetricGroup metrics = UnregisteredMetricsGroup.createSourceReaderMetricGroup();
            this.reader = (SplitReader<ConsumerRecord<byte[], byte[]>, KafkaPartitionSplit>) readerClass
                    .getConstructor(Properties.class, SourceReaderContext.class, KafkaSourceReaderMetrics.class)
                    .newInstance(props, context(metrics), new KafkaSourceReaderMetrics(metrics));
        }

        void add(KafkaPartitionSplit... splits) {
            reader.handleSplitsChanges(new SplitsAddition<>(List.of(splits)));
        }

        /** Fetches (as the split fetcher thread does) until the reader reports {@code split} finished. */
        void fetchUntilFinished(KafkaPartitionSplit split) throws Exception {
            for (int i = 0; i < 20 && !finished.contains(split.splitId()); i++) {
                collect(reader.fetch());
            }
            assertThat(finished).as("finished splits").contains(split.splitId());
        }

        /** One fetch, cut short by a wake-up (as the fetcher does to hand the reader a task). */
        void fetchOnceWokenUpAfter(Duration delay) throws Exception {
            Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                reader.wakeUp();
            });
            waker.start();
            collect(reader.fetch());
            waker.join();
        }

        private void collect(RecordsWithSplitIds<ConsumerRecord<byte[], byte[]>> records) {
            for (String id = records.nextSplit(); id != null; id = records.nextSplit()) {
                while (records.nextRecordFromSplit() != null) {
                    read.merge(id, 1, Integer::sum);
                }
            }
            finished.addAll(records.finishedSplits());
            records.recycle();
        }

        @Override
        public void close() throws Exception {
            reader.close();
        }
    }

    static SourceReaderContext context(SourceReaderMetricGroup metrics) {
        return new SourceReaderContext() {
            @Override
            public SourceReaderMetricGroup metricGroup() {
                return metrics;
            }

            @Override
            public Configuration getConfiguration() {
                return new Configuration();
            }

            @Override
            public String getLocalHostName() {
                return "localhost";
            }

            @Override
            public int getIndexOfSubtask() {
                return 0;
            }

            @Override
            public void sendSplitRequest() {}

            @Override
            public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return null;
            }
        };
    }
}
