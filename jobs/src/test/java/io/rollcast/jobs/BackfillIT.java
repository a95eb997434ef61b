package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.jobs.tools.BackfillProgress;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A backfill from the earliest offsets ends with the same rows as the live run over the same topic. */
@ExtendWith(RealServers.class)
class BackfillIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static JobConfig base(KafkaServer kafka, String in, String rows, String late) {
        return JobConfig.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.topic", in)
                .with("kafka.rows-topic", rows)
                .with("kafka.late-topic", late)
                .with("kafka.dlq-topic", late + "-dlq")
                .with("kafka.group-id", rows)
                .with("windows.dedup-horizon", "1d")
                .with("checkpoint.interval", "1s")
                .with("job.parallelism", "2");
    }

    static org.apache.flink.core.execution.JobClient start(JobConfig cfg, boolean bounded) throws Exception {
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(KafkaIo.source(cfg), RollupJob.watermarks(cfg), "kafka-events")
                        .uid("kafka-events"),
                cfg);
        RollupJob.sinks(out, cfg);
        if (bounded) {
            env.execute("backfill");
            return null;
        }
        return env.executeAsync("live");
    }

    @Test
    void backfillFromEarliestEndsWithTheRowsOfTheLiveRun(KafkaServer kafka) throws Exception {
        String in = kafka.freshTopic("events", 4);
        String liveRows = kafka.freshTopic("live-rows", 2), backfillRows = kafka.freshTopic("backfill-rows", 2);
        String late = kafka.freshTopic("late", 1);
        long n = 30_000;
        // disorder, late events within lateness, duplicates and bad records; none too late, so a
        // live and a backfill run must agree exactly whatever their watermarks
        EventGenerator gen = new EventGenerator(new GeneratorConfig(
                21, 50, 4, ClusterOperationsIT.START, 50, 0.2, 4_000, 0.02, 35_000, 180_000, 0, 0, 0, 0.01, 0.01));

        var liveJob = start(base(kafka, in, liveRows, late).with("kafka.starting-offsets", "earliest"), false);
        ClusterOperationsIT.produce(kafka, in, gen, 0, n, 3_000).join();
        ClusterOperationsIT.flush(kafka, in, 4, gen.baseTime(n) + 3_600_000L);
        JobConfig live = base(kafka, in, liveRows, late);
        ClusterOperationsIT.awaitOracle(kafka, liveRows, late, gen, n, live, k -> true);
        liveJob.cancel().get();

        JobConfig backfill = base(kafka, in, backfillRows, late).forBackfill();
        assertThat(backfill.kafkaBounded()).isTrue();
        assertThat(backfill.alignmentMaxDrift()).isPositive();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (var progress = new BackfillProgress(
                kafka.bootstrapServers(), in, backfill.kafkaGroupId(), new PrintStream(printed, true), 500)) {
            long flushed = 4L * JobConfig.defaults().confirmEvents(); // the flush events (ClusterOperationsIT.flush)
            assertThat(progress.total()).isEqualTo(n + flushed);
            Thread t = new Thread(progress);
            t.start();
            long t0 = System.nanoTime();
            start(backfill, true);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "backfill IT: %d records in %.1f s (%.0f records/s)%n", n + flushed, secs, (n + flushed) / secs);
        }
        assertThat(printed.toString())
                .contains(String.format(
                        "backfill: %,d records in %s",
                        n + 4L * JobConfig.defaults().confirmEvents(), in));

        Map<String, Oracle.Values> liveValues = ClusterOperationsIT.actual(kafka, liveRows);
        Map<String, Oracle.Values> backfillValues = ClusterOperationsIT.actual(kafka, backfillRows);
        assertThat(Oracle.diff(liveValues, backfillValues, 10)).isEmpty();
        assertThat(backfillValues).hasSameSizeAs(liveValues).isNotEmpty();
    }
}
