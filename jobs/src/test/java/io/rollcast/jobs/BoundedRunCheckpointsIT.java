package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.model.Ingested;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded run (a backfill) whose partitions differ in length: one source subtask finishes within
 * a second, the other reads for several seconds more. Flink refuses to checkpoint a job vertex that
 * holds union list state once part of its subtasks have finished (FLIP-147), so while
 * {@code route-rejected} (which keeps its partition clocks in union state) was chained to the source,
 * every checkpoint after the short partition ended failed: a backfill made no progress that a
 * failure could resume from, and a stop-with-savepoint was refused. {@code route-rejected} now runs
 * behind an exchange that routes each Kafka partition to one of its subtasks, so its subtasks finish
 * together, after every source subtask.
 */
@ExtendWith(RealServers.class)
class BoundedRunCheckpointsIT {
    static final long T0 = 1_767_225_600_000L;
    static final int LONG_PARTITION_EVENTS = 6_000;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void aBoundedRunKeepsCheckpointingAfterASourceSubtaskFinished(
            KafkaServer kafka, @InjectMiniCluster MiniCluster mini) throws Exception {
        String in = kafka.freshTopic("uneven", 2);
        try (var producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++)
                producer.send(new ProducerRecord<>(in, 0, null, event("short", i, T0 + i * 1_000L)));
            for (int i = 0; i < LONG_PARTITION_EVENTS; i++)
                producer.send(new ProducerRecord<>(in, 1, null, event("long", i, T0 + i * 60_000L)));
            producer.flush();
        }
        JobConfig cfg = JobConfig.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.topic", in)
                .with("kafka.dlq-topic", kafka.freshTopic("uneven-dlq", 1))
                .with("kafka.late-topic", kafka.freshTopic("uneven-late", 1))
                .with("kafka.starting-offsets", "earliest")
                .with("kafka.bounded", "true")
                .with("windows.specs", "tumbling 1m")
                .with("checkpoint.interval", "200ms")
                .with("job.parallelism", "2");
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        // the source paced at ~1 ms per record: the long partition's subtask reads for ~6 s after the short
        // one finished (back-pressure from a slow sink is not enough: small records fit in the buffers)
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(KafkaIo.source(cfg), RollupJob.watermarks(cfg), "kafka-events")
                        .uid("kafka-events")
                        .map(new Paced())
                        .name("paced"),
                cfg);
        out.rows().sinkTo(new QueueSink<>("bounded-rows"));
        JobID job = env.execute("bounded-checkpoints").getJobID();

        // (the subtasks' FINISHED times do not show the shape: a task that finished its input waits for
        // the checkpoint after it, FLIP-147, which is exactly what never came before the fix)
        CheckpointStatsSnapshot stats =
                mini.getArchivedExecutionGraph(job).get().getCheckpointStatsSnapshot();
        List<String> failures = new ArrayList<>();
        for (AbstractCheckpointStats c : stats.getHistory().getCheckpoints()) {
            if (c instanceof FailedCheckpointStats f) failures.add(String.valueOf(f.getFailureMessage()));
        }
        System.out.printf(
                "bounded run: %d completed, %d failed checkpoints; recent failures: %s%n",
                stats.getCounts().getNumberOfCompletedCheckpoints(),
                stats.getCounts().getNumberOfFailedCheckpoints(),
                failures);
        // checkpoints may be declined while a task is closing; none may fail for the union state
        assertThat(failures).as("failed checkpoints' causes").noneMatch(m -> m.contains("UnionListState"));
        assertThat(stats.getCounts().getNumberOfCompletedCheckpoints())
                .as("completed checkpoints in a ~6 s run with a 200 ms interval")
                .isGreaterThanOrEqualTo(5);
    }

    static byte[] event(String type, int i, long ts) {
        return ("{\"event_id\":\"" + type + "-" + i + "\",\"tenant_id\":\"tenant-1\",\"event_type\":\"" + type
                        + "\",\"timestamp\":" + ts + ",\"value\":1,\"schema_version\":1}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static final class Paced implements MapFunction<Ingested, Ingested> {
        @Override
        public Ingested map(Ingested r) throws Exception {
            Thread.sleep(1);
            return r;
        }
    }
}
