package io.rollcast.jobs.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.KafkaIo;
import io.rollcast.jobs.Schemas;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hostile stream ({@link HostileStream}) through the shaded job on the real Flink cluster, real
 * Kafka (4 partitions), Postgres and ClickHouse, in every way a user runs it: live while it is
 * produced, a plain replay from earliest with a fresh group, {@code --backfill}, a plain replay whose
 * TaskManager is SIGKILLed mid-run, a backfill whose Postgres is down for 40 s mid-run. Every run must
 * end with BOTH stores equal to {@link HostileOracle}, row for row and bit for bit, the same dead
 * letters (reason per source position) and the same too-late events.
 */
@ExtendWith(RealServers.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class HostileReplayIT {
    static final int N = Integer.getInteger("hostile.records", 60_000);
    static final String CLOSE_TENANT = "zz-close";
    static final List<HostileOracle.Spec> SPECS = List.of(
            new HostileOracle.Spec("tumbling-1m", 60_000, 60_000),
            new HostileOracle.Spec("sliding-5m-1m", 300_000, 60_000),
            new HostileOracle.Spec("sliding-1h-1m", 3_600_000, 60_000));
    static final long LATENESS_MS = 120_000;
    static final int MAX_RECORD_BYTES = 4096;

    static String topic;
    static byte[] HUGE;
    static List<HostileStream.Rec> records;
    static HostileOracle.Expected expected;

    /** The stream, then per partition enough valid events 3 h ahead to close every window of a run that never ends. */
    @BeforeAll
    static void produce(KafkaServer kafka) throws Exception {
        long base = Math.floorDiv(System.currentTimeMillis() - 6 * 3_600_000L, 60_000L) * 60_000L; // within retention
        List<HostileStream.Rec> recs = new ArrayList<>(HostileStream.generate(20261202L, N, base, MAX_RECORD_BYTES));
        long last = recs.stream().mapToLong(HostileStream.Rec::createTime).max().orElseThrow();
        int confirm = JobConfig.defaults().confirmEvents();
        for (int p = 0; p < HostileStream.PARTITIONS; p++) {
            for (int i = 0; i < confirm; i++) {
                long ts = last + 3 * 3_600_000L;
                String v = "{\"event_id\":\"close-" + p + "-" + i + "\",\"tenant_id\":\"" + CLOSE_TENANT
                        + "\",\"event_type\":\"close\"," + "\"timestamp\":" + ts + ",\"schema_version\":1}";
                recs.add(new HostileStream.Rec(
                        p,
                        ts,
                        CLOSE_TENANT.getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8),
                        null,
                        new HostileStream.Ev(CLOSE_TENANT, "close", ts, 1.0),
                        "close"));
            }
        }
        // a record larger than the dead-letter producer may send (1 MB): it must arrive cut, with its size and hash
        HUGE = new byte[1_500_000];
        java.util.Arrays.fill(HUGE, (byte) 'x');
        System.arraycopy("{\"pad\":\"".getBytes(StandardCharsets.UTF_8), 0, HUGE, 0, 8);
        HostileStream.Rec middle = recs.get(recs.size() / 2);
        recs.add(
                recs.size() / 2,
                new HostileStream.Rec(
                        middle.partition(),
                        middle.createTime(),
                        middle.key(),
                        HUGE,
                        "too_large",
                        null,
                        "bad:too_large(1.5 MB)"));
        records = recs;
        topic = "hostile-" + System.nanoTime();
        kafka.createTopic(topic, HostileStream.PARTITIONS, Map.of("max.message.bytes", "3000000"));
        expected = HostileOracle.expect(records, SPECS, 60_000, LATENESS_MS, 5_000, confirm);
        System.out.printf(
                "hostile stream: %d records, %d windows expected, %d dead letters, %d too late; classes %s%n",
                records.size(),
                expected.windows().size(),
                expected.deadLetters().size(),
                expected.tooLate().size(),
                expected.kinds());
    }

    /** Writes the stream in order, each record to its partition with its CreateTime; checks the offsets the oracle assumes. */
    static void write(KafkaServer kafka, int perSecond) throws Exception {
        var props = kafka.producerProperties();
        props.put("max.request.size", "2000000");
        try (var p = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < records.size(); i++) {
                HostileStream.Rec r = records.get(i);
                sent.add(p.send(new ProducerRecord<>(topic, r.partition(), r.createTime(), r.key(), r.value())));
                if (perSecond > 0 && i % 500 == 0) {
                    long wait = t0 + i * 1_000_000_000L / perSecond - System.nanoTime();
                    if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                }
            }
            long[] next = new long[HostileStream.PARTITIONS];
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                assertThat(m.offset()).as("record %d in partition order", i).isEqualTo(next[m.partition()]++);
            }
        }
    }

    record Run(String name, String pgUrl, String chDatabase, String late, String dlq, List<String> args) {}

    static Run run(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, String name, boolean backfill, String... more) {
        String pgUrl = pg.freshDatabase("hostile_" + name);
        String chDb = ch.freshDatabase("hostile_" + name);
        String late = kafka.freshTopic("late-" + name, 1);
        String dlq = kafka.freshTopic("dlq-" + name, 1);
        List<String> a = new ArrayList<>();
        if (backfill) a.add("--backfill");
        for (String s : new String[] {
            "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "kafka.topic=" + topic,
            "kafka.group-id=hostile-" + name + "-" + System.nanoTime(),
            "kafka.rows-topic=",
            "kafka.late-topic=" + late,
            "kafka.dlq-topic=" + dlq,
            "input.max-record-bytes=" + MAX_RECORD_BYTES,
            "windows.allowed-lateness=2m",
            "checkpoint.interval=1s",
            "job.parallelism=2",
            "store.type=both",
            "store.postgres.url=" + pgUrl,
            "store.clickhouse.url=" + ch.httpUrl(),
            "store.clickhouse.database=" + chDb
        }) {
            a.add("--set");
            a.add(s);
        }
        for (String m : more) {
            a.add("--set");
            a.add(m);
        }
        Schemas.migrate(a); // the job does no DDL: the schema command runs before submission
        return new Run(name, pgUrl, chDb, late, dlq, a);
    }

    /**
     * Runs that are interrupted mid-replay (a TaskManager killed, Postgres stopped, a savepoint) must
     * still be replaying after their first checkpoint. On an idle machine the whole replay took
     * under 2 s, so the interruption came after the end (flaky "restored from a checkpoint"). One row
     * per JDBC batch back-pressures the job to several seconds without changing what it writes.
     */
    static final String SLOW_SINK = "store.postgres.batch-size=1";

    static Path jar() {
        Path jar = Path.of("target/rollcast-jobs.jar");
        assertThat(jar).as("the shaded job jar (mvn package)").exists();
        return jar;
    }

    @Test
    @Order(1)
    void aLiveRunWhileTheStreamIsProducedEqualsTheOracleInBothStores(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, FlinkCluster flink) throws Exception {
        Run run = run(kafka, pg, ch, "live", false, "kafka.starting-offsets=earliest");
        String job = flink.submit(jar(), run.args(), 2, null);
        try {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            write(kafka, 10_000);
            awaitOracle(kafka, ch, run, Duration.ofMinutes(2));
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(2)
    void aPlainReplayFromEarliestWithAFreshGroupEqualsTheOracle(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, FlinkCluster flink) throws Exception {
        Run run = run(kafka, pg, ch, "replay", false, "kafka.starting-offsets=earliest", "kafka.bounded=true");
        finish(flink, flink.submit(jar(), run.args(), 2, null));
        assertEqualsOracle(kafka, ch, run);
    }

    @Test
    @Order(3)
    void aBackfillEqualsTheOracle(KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, FlinkCluster flink)
            throws Exception {
        Run run = run(kafka, pg, ch, "backfill", true);
        finish(flink, flink.submit(jar(), run.args(), 2, null));
        assertEqualsOracle(kafka, ch, run);
    }

    @Test
    @Order(4)
    void aPlainReplayWhoseTaskManagerIsKilledMidRunEqualsTheOracle(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, FlinkCluster flink) throws Exception {
        Run run =
                run(kafka, pg, ch, "tmkill", false, "kafka.starting-offsets=earliest", "kafka.bounded=true", SLOW_SINK);
        String job = runningAfterACheckpoint(flink, run);
        flink.killTaskManager();
        Thread.sleep(2_000);
        flink.startTaskManager();
        finish(flink, job);
        assertThat(flink.restoredCount(job)).as("restored from a checkpoint").isGreaterThanOrEqualTo(1);
        assertEqualsOracle(kafka, ch, run);
    }

    @Test
    @Order(5)
    void aBackfillWhosePostgresIsDownForFortySecondsEqualsTheOracle(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, FlinkCluster flink) throws Exception {
        Run run = run(kafka, pg, ch, "pgdown", true, "store.postgres.max-retries=1", SLOW_SINK);
        String job = runningAfterACheckpoint(flink, run);
        pg.stop();
        try {
            Thread.sleep(40_000);
        } finally {
            pg.start();
        }
        finish(flink, job);
        assertThat(flink.restoredCount(job)).as("restored from a checkpoint").isGreaterThanOrEqualTo(1);
        assertEqualsOracle(kafka, ch, run);
    }

    /**
     * A replay stopped with a savepoint mid-run (stop-with-savepoint, under the slow sink's
     * back-pressure) and resumed with one more spec at parallelism 1. The replay is unbounded
     * (earliest, not --backfill). While route-rejected (union list state) was chained to the source,
     * such a stop was refused once the stop had finished some source subtasks; see docs/windows.md
     * "Partition clocks and bounded runs".
     */
    @Test
    @Order(6)
    void aReplayStoppedWithASavepointAndResumedWithAnotherSpecAndParallelismEqualsTheOracle(
            KafkaServer kafka, PostgresServer pg, ClickHouseServer ch, FlinkCluster flink) throws Exception {
        Run run = run(kafka, pg, ch, "resume", false, "kafka.starting-offsets=earliest", SLOW_SINK);
        String job1 = runningAfterACheckpoint(flink, run);
        String savepoint;
        try {
            savepoint = flink.stopWithSavepoint(job1);
        } catch (RuntimeException | IOException e) {
            flink.cancel(job1);
            flink.awaitTerminal(job1, Duration.ofSeconds(60));
            throw e;
        }
        // the same pane (1 min), one more spec, parallelism 2 -> 1
        List<String> args = new ArrayList<>(run.args());
        args.addAll(List.of(
                "--set",
                "windows.specs=tumbling 1m,sliding 5m/1m,sliding 60m/1m,tumbling 5m",
                "--set",
                "job.parallelism=1"));
        String job2 = flink.submit(jar(), args, 1, savepoint);
        try {
            flink.awaitRunning(job2, Duration.ofSeconds(60));
            awaitOracle(kafka, ch, run, Duration.ofMinutes(3), "tumbling-5m");
            assertThat(StoreRows.postgres(run.pgUrl(), "rollups").keySet())
                    .as("the new spec is written")
                    .anyMatch(k -> k.contains("|tumbling-5m|"));
        } finally {
            flink.cancel(job2);
            flink.awaitTerminal(job2, Duration.ofSeconds(60));
        }
    }

    /** Submits the run at parallelism 2 and returns once it has completed a checkpoint and is still running (mid-replay). */
    static String runningAfterACheckpoint(FlinkCluster flink, Run run) throws Exception {
        String job = flink.submit(jar(), run.args(), 2, null);
        flink.awaitRunning(job, Duration.ofSeconds(60));
        while (flink.completedCheckpoints(job) < 1) Thread.sleep(100);
        assertThat(flink.jobState(job))
                .as("still replaying after its first checkpoint")
                .isEqualTo("RUNNING");
        return job;
    }

    static void finish(FlinkCluster flink, String job) throws Exception {
        String state = flink.awaitTerminal(job, Duration.ofMinutes(5));
        assertThat(state).as("the bounded job finishes").isEqualTo("FINISHED");
    }

    static void awaitOracle(KafkaServer kafka, ClickHouseServer ch, Run run, Duration timeout) throws Exception {
        awaitOracle(kafka, ch, run, timeout, null);
    }

    static void awaitOracle(KafkaServer kafka, ClickHouseServer ch, Run run, Duration timeout, String extraSpec)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertEqualsOracle(kafka, ch, run, extraSpec);
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(3_000);
            }
        }
    }

    static void assertEqualsOracle(KafkaServer kafka, ClickHouseServer ch, Run run) {
        assertEqualsOracle(kafka, ch, run, null);
    }

    /** {@code newSpec}: a spec added on a redeploy, left out of the comparison (its early windows started mid-stream). */
    static void assertEqualsOracle(KafkaServer kafka, ClickHouseServer ch, Run run, String newSpec) {
        Map<String, WindowRow> pgRows = StoreRows.postgres(run.pgUrl(), "rollups");
        Map<String, WindowRow> chRows = StoreRows.clickhouse(ch, run.chDatabase());
        if (newSpec != null) {
            pgRows.keySet().removeIf(k -> k.contains("|" + newSpec + "|"));
            chRows.keySet().removeIf(k -> k.contains("|" + newSpec + "|"));
        }
        assertThat(diff(pgRows)).as(run.name() + ": Postgres vs oracle").isEmpty();
        assertThat(diff(chRows)).as(run.name() + ": ClickHouse vs oracle").isEmpty();
        List<ConsumerRecord<byte[], byte[]>> dlq = readAll(kafka, run.dlq());
        assertThat(deadLetters(dlq))
                .as(run.name() + ": dead letters by source position")
                .isEqualTo(expected.deadLetters());
        assertThat(lateEvents(kafka, run.late()))
                .as(run.name() + ": too-late events by source position")
                .isEqualTo(expected.tooLate());
        var huge =
                dlq.stream().filter(r -> header(r, KafkaIo.H_TRUNCATED) != null).toList();
        assertThat(huge)
                .as(run.name() + ": the 1.5 MB record's dead letter")
                .isNotEmpty()
                .allSatisfy(r -> {
                    assertThat(r.value())
                            .hasSize(JobConfig.defaults().dlqMaxValueBytes())
                            .startsWith(java.util.Arrays.copyOf(HUGE, 100));
                    assertThat(header(r, KafkaIo.H_TRUNCATED)).isEqualTo("value");
                    assertThat(header(r, KafkaIo.H_VALUE_BYTES)).isEqualTo("1500000");
                    assertThat(header(r, KafkaIo.H_VALUE_SHA256)).isEqualTo(sha256(HUGE));
                });
        long windows = expected.windows().keySet().stream()
                .filter(k -> !k.startsWith(CLOSE_TENANT + "|"))
                .count();
        System.out.printf(
                "hostile %s: %d windows in Postgres and ClickHouse equal the oracle bit for bit; %d dead letters, %d too late%n",
                run.name(),
                windows,
                expected.deadLetters().size(),
                expected.tooLate().size());
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> diff(Map<String, WindowRow> table) {
        List<String> d = new ArrayList<>();
        for (var e : expected.windows().entrySet()) {
            if (e.getKey().startsWith(CLOSE_TENANT + "|")) continue; // its own windows never close in a live run
            HostileOracle.Window x = e.getValue();
            WindowRow a = table.get(e.getKey());
            boolean same = a != null
                    && a.count() == x.count()
                    && bits(a.sum()) == bits(x.sum())
                    && bits(a.min()) == bits(x.min())
                    && bits(a.max()) == bits(x.max())
                    && a.version() == x.version()
                    && a.kind() != Kind.EARLY;
            if (!same && d.size() < 20) d.add(e.getKey() + ": expected " + x + " got " + a);
        }
        table.forEach((k, v) -> {
            if (!k.startsWith(CLOSE_TENANT + "|") && !expected.windows().containsKey(k) && d.size() < 20)
                d.add(k + ": unexpected " + v);
        });
        return d;
    }

    private static long bits(double d) {
        return Double.doubleToLongBits(d);
    }

    /** Dead letters as source position -> reason; a position written twice (a restart) must carry the same reason. */
    static Map<String, String> deadLetters(List<ConsumerRecord<byte[], byte[]>> dlq) {
        Map<String, String> out = new TreeMap<>();
        for (var r : dlq) {
            String pos = header(r, KafkaIo.H_PARTITION) + "/" + header(r, KafkaIo.H_OFFSET);
            String reason = header(r, KafkaIo.H_REASON);
            String before = out.put(pos, reason);
            assertThat(before == null || before.equals(reason))
                    .as("one reason per dead letter " + pos)
                    .isTrue();
        }
        return out;
    }

    static TreeSet<String> lateEvents(KafkaServer kafka, String late) {
        TreeSet<String> out = new TreeSet<>();
        for (var r : readAll(kafka, late)) out.add(header(r, KafkaIo.H_PARTITION) + "/" + header(r, KafkaIo.H_OFFSET));
        return out;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaServer kafka, String topic) {
        return io.rollcast.jobs.RollupJobKafkaIT.readAll(kafka, topic);
    }
}
