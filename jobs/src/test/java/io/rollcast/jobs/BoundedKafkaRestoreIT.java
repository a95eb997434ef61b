package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumerator;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.enumerator.subscriber.KafkaSubscriber;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLINK-31006: a bounded Kafka source stopped with a savepoint and resumed never finished. The
 * restored enumerator's one-time discovery finds every partition already assigned, returns early and
 * never sends NoMoreSplits, so the readers read to their stopping offsets and idle forever (the
 * backfill of issue 12, 2 → 1 subtasks, stayed RUNNING and its last windows never closed). Fixed by
 * the KafkaSourceEnumerator copy carried in {@code jobs/src/main/java}.
 */
@ExtendWith(RealServers.class)
class BoundedKafkaRestoreIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final int PARTITIONS = 4;
    static final int PER_PARTITION = 2_500;
    static final int TOTAL = PARTITIONS * PER_PARTITION;

    @Test
    void aBoundedBackfillStoppedWithASavepointAndResumedWithParallelismOneFinishesAndReadsEveryRecordOnce(
            KafkaServer kafka, @TempDir Path savepoints) throws Exception {
        String topic = kafka.freshTopic("bounded-restore", PARTITIONS);
        produce(kafka, topic);

        // run 1: parallelism 2, throttled so that the stop comes mid-way
        QueueSink<String> before = new QueueSink<>(topic + "-before");
        JobClient first = job(kafka, topic, 2, 1, null, before).executeAsync("bounded-before");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (before.drain().size() < TOTAL / 5) {
            assertThat(System.nanoTime())
                    .as("run 1 read a fifth of the records")
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        first.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        int readBefore = before.drain().size();
        assertThat(readBefore).as("stopped mid-way").isBetween(TOTAL / 5, TOTAL - 1);
        System.out.printf("bounded restore: %,d of %,d records read before the savepoint%n", readBefore, TOTAL);

        // run 2: from the savepoint, parallelism 1 (the restored reader gets all four splits)
        QueueSink<String> after = new QueueSink<>(topic + "-after");
        JobClient second = job(kafka, topic, 1, 0, savepoint, after).executeAsync("bounded-after");
        try {
            second.getJobExecutionResult().get(90, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            JobStatus status = second.getJobStatus().get();
            int read = after.drain().size();
            second.cancel().get(30, TimeUnit.SECONDS);
            fail(
                    "the restored bounded job did not finish within 90 s: %s after reading %d + %d of %d records",
                    status, readBefore, read, TOTAL);
        }
        assertThat(second.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);

        List<String> all = new ArrayList<>(before.drain());
        all.addAll(after.drain());
        assertThat(all)
                .as("every record exactly once")
                .hasSize(TOTAL)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected());
    }

    /**
     * The same restore at the enumerator, for the connector's class and the patched one: restored with
     * every partition assigned, one reader registered before the discovery and one after.
     */
    @Test
    void aRestoredBoundedEnumeratorSignalsNoMoreSplitsOnlyWhenPatched(KafkaServer kafka) throws Exception {
        String topic = kafka.freshTopic("bounded-enumerator", PARTITIONS);
        produce(kafka, topic);
        List<KafkaPartitionSplit> assigned = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            assigned.add(new KafkaPartitionSplit(new TopicPartition(topic, p), 100, PER_PARTITION));
        }
        KafkaSourceEnumState restored = new KafkaSourceEnumState(assigned, List.of(), true);
        Class<?> stock = StockConnector.load(KafkaSourceEnumerator.class.getName());

        // control: a fresh (not restored) stock enumerator does signal
        assertThat(run(stock, kafka, topic, new KafkaSourceEnumState(List.of(), List.of(), false)).noMoreSplits)
                .containsExactlyInAnyOrder(0, 1);

        Context stockRun = run(stock, kafka, topic, restored);
        assertThat(stockRun.noMoreSplits).as("connector's enumerator, restored").isEmpty();
        assertThat(stockRun.assigned)
                .as("nothing to reassign: the readers restore their splits")
                .isEmpty();

        Context patchedRun = run(KafkaSourceEnumerator.class, kafka, topic, restored);
        assertThat(patchedRun.noMoreSplits).as("patched enumerator, restored").containsExactlyInAnyOrder(0, 1);
        assertThat(patchedRun.assigned).isEmpty();
    }

    static Context run(Class<?> enumeratorClass, KafkaServer kafka, String topic, KafkaSourceEnumState state)
            throws Exception {
        Properties props = new Properties();
        props.putAll(kafka.clientProperties());
        props.setProperty(ConsumerConfig.GROUP_ID_CONFIG, topic);
        props.setProperty("client.id.prefix", topic);
        props.setProperty("partition.discovery.interval.ms", "-1"); // what KafkaSourceBuilder sets when bounded
        Context ctx = new Context(2);
        @SuppressWarnings("unchecked")
        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator =
                (SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState>) enumeratorClass
                        .getConstructor(
                                KafkaSubscriber.class,
                                OffsetsInitializer.class,
                                OffsetsInitializer.class,
                                Properties.class,
                                SplitEnumeratorContext.class,
                                Boundedness.class,
                                KafkaSourceEnumState.class)
                        .newInstance(
                                KafkaSubscriber.getTopicListSubscriber(List.of(topic)),
                                OffsetsInitializer.earliest(),
                                OffsetsInitializer.latest(),
                                props,
                                ctx,
                                Boundedness.BOUNDED,
                                state);
        try {
            ctx.register(0);
            enumerator.addReader(0);
            enumerator.start(); // discovery runs synchronously in this context
            ctx.register(1);
            enumerator.addReader(1);
        } finally {
            enumerator.close();
        }
        return ctx;
    }

    /** A split enumerator context that runs async calls at once and records what it is told. */
    static final class Context implements SplitEnumeratorContext<KafkaPartitionSplit> {
        final int parallelism;
        final Map<Integer, ReaderInfo> readers = new HashMap<>();
        final List<Integer> noMoreSplits = new ArrayList<>();
        final List<KafkaPartitionSplit> assigned = new ArrayList<>();

        Context(int parallelism) {
            this.parallelism = parallelism;
        }

        void register(int subtask) {
            readers.put(subtask, new ReaderInfo(subtask, "localhost"));
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

        @Override
        public int currentParallelism() {
            return parallelism;
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return Map.copyOf(readers);
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            assignment.assignment().values().forEach(assigned::addAll);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            noMoreSplits.add(subtask);
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            T result = null;
            Throwable error = null;
            try {
                result = callable.call();
            } catch (Throwable t) {
                error = t;
            }
            handler.accept(result, error);
        }

        @Override
        public <T> void callAsync(
                Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
            callAsync(callable, handler);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            runnable.run();
        }
    }

    static StreamExecutionEnvironment job(
            KafkaServer kafka, String topic, int parallelism, int sleepMs, String restoreFrom, QueueSink<String> sink) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (restoreFrom != null) {
            Configuration c = new Configuration();
            c.setString("execution.state-recovery.path", restoreFrom);
            env.configure(c);
        }
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setTopics(topic)
                .setGroupId(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka")
                .uid("kafka")
                .map(new Throttle(sleepMs))
                .uid("throttle")
                .sinkTo(sink)
                .uid("sink");
        return env;
    }

    /** Sleeps per record, so that a stop-with-savepoint lands mid-topic. */
    static final class Throttle implements MapFunction<String, String> {
        final int sleepMs;

        Throttle(int sleepMs) {
            this.sleepMs = sleepMs;
        }

        @Override
        public String map(String value) throws Exception {
            if (sleepMs > 0) {
                Thread.sleep(sleepMs);
            }
            return value;
        }
    }

    /**
     * Writes every record, and checks it was written. Not idempotent, one request in flight: right
     * after a topic is created the broker can answer NOT_LEADER_OR_FOLLOWER, and the idempotent
     * producer then got stuck on OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (23 records
     * lost in one run); a plain retry of one in-flight batch writes each record once.
     */
    static void produce(KafkaServer kafka, String topic) throws Exception {
        Properties props = kafka.producerProperties();
        props.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.setProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<String, String>(props)) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, p, null, p + "-" + i)));
                }
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    static Set<String> expected() {
        Set<String> all = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (int i = 0; i < PER_PARTITION; i++) {
                all.add(p + "-" + i);
            }
        }
        return all;
    }
}
