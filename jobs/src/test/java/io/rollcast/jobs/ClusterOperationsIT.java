package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.RealServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shaded job jar on a real Flink session cluster (JobManager and TaskManager JVMs, RocksDB)
 * reading a real Kafka broker: a TaskManager crash and a savepoint redeploy with changed config,
 * each ending with window rows equal to the independent oracle.
 */
@ExtendWith(RealServers.class)
class ClusterOperationsIT {
    static final long START = 1_767_225_600_000L;
    static final String FLUSH_TENANT = "zz-flush";
    static final ObjectMapper JSON = new ObjectMapper();

    static Path jar() {
        Path jar = Path.of("target/rollcast-jobs.jar");
        assertThat(jar).as("the shaded job jar (mvn package)").exists();
        return jar;
    }

    /** Produces generated records [from, to) at about {@code rate} per second, on a background thread. */
    static Thread produce(KafkaServer kafka, String topic, EventGenerator gen, long from, long to, int rate) {
        Thread t = new Thread(
                () -> {
                    try (var p = new KafkaProducer<>(
                            kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
                        long t0 = System.nanoTime();
                        for (long i = from; i < to; i++) {
                            var g = gen.get(i);
                            p.send(new ProducerRecord<>(topic, g.key(), g.value()));
                            long due = t0 + (i - from) * 1_000_000_000L / rate;
                            long wait = due - System.nanoTime();
                            if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "producer");
        t.start();
        return t;
    }

    /**
     * Valid events far ahead in event time in every partition, as many as a partition's clock needs to
     * confirm a jump (watermark.confirm-events): the watermark then passes every real window.
     */
    static void flush(KafkaServer kafka, String topic, int partitions, long ts) {
        int confirm = JobConfig.defaults().confirmEvents();
        try (var p =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int part = 0; part < partitions; part++) {
                for (int i = 0; i < confirm; i++) {
                    String v = "{\"event_id\":\"flush-" + part + "-" + i + "\",\"tenant_id\":\"" + FLUSH_TENANT
                            + "\",\"event_type\":\"flush\",\"timestamp\":" + ts + ",\"schema_version\":1}";
                    p.send(new ProducerRecord<>(
                            topic,
                            part,
                            FLUSH_TENANT.getBytes(StandardCharsets.UTF_8),
                            v.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }

    static List<String> args(KafkaServer kafka, String in, String rows, String late, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--set", "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--set", "kafka.topic=" + in,
                "--set", "kafka.rows-topic=" + rows,
                "--set", "kafka.late-topic=" + late,
                "--set", "kafka.dlq-topic=" + late + "-dlq",
                "--set", "kafka.starting-offsets=earliest",
                "--set", "windows.dedup-horizon=1d",
                "--set", "checkpoint.interval=1s"));
        for (String m : more) {
            a.add("--set");
            a.add(m);
        }
        return a;
    }

    /** Latest row per window from the changelog topic, without the flush tenant. */
    static Map<String, Oracle.Values> actual(KafkaServer kafka, String rows) throws Exception {
        List<WindowRow> list = new ArrayList<>();
        for (var r : RollupJobKafkaIT.readAll(kafka, rows)) {
            JsonNode n = JSON.readTree(r.value());
            if (n.get("tenant_id").asText().equals(FLUSH_TENANT)) continue;
            list.add(new WindowRow(
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
        }
        return Oracle.values(Oracle.latest(list));
    }

    static Set<String> dropped(KafkaServer kafka, String late) throws Exception {
        Set<String> ids = new HashSet<>();
        for (var r : RollupJobKafkaIT.readAll(kafka, late))
            ids.add(JSON.readTree(r.value()).get("event_id").asText());
        return ids;
    }

    /** Polls the changelog until the rows selected by {@code which} equal the oracle, or fails with the difference. */
    static void awaitOracle(
            KafkaServer kafka,
            String rows,
            String late,
            EventGenerator gen,
            long n,
            JobConfig cfg,
            Predicate<String> which)
            throws Exception {
        List<String> diff = List.of("not checked");
        for (long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                System.nanoTime() < deadline;
                Thread.sleep(2000)) {
            Map<String, Oracle.Values> expected =
                    filter(Oracle.expected(gen, n, cfg.windowSpecs(), dropped(kafka, late)), which);
            Map<String, Oracle.Values> actual = filter(actual(kafka, rows), which);
            diff = Oracle.diff(expected, actual, 10);
            if (diff.isEmpty() && !expected.isEmpty()) {
                System.out.printf("cluster IT: %d windows equal the oracle%n", expected.size());
                return;
            }
        }
        assertThat(diff).as("rows vs oracle").isEmpty();
    }

    static Map<String, Oracle.Values> filter(Map<String, Oracle.Values> m, Predicate<String> which) {
        Map<String, Oracle.Values> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (which.test(k)) out.put(k, v);
        });
        return out;
    }

    @Test
    void jobRestoresFromItsLastCheckpointWhenTheTaskManagerIsKilled(KafkaServer kafka, FlinkCluster flink)
            throws Exception {
        String in = kafka.freshTopic("events", 4),
                rows = kafka.freshTopic("rollups", 2),
                late = kafka.freshTopic("late", 1);
        long n = 40_000;
        EventGenerator gen = StoreRuns.generator(11);
        Thread producer = produce(kafka, in, gen, 0, n, 4_000);
        String job = flink.submit(jar(), args(kafka, in, rows, late), 2, null);
        try {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            while (flink.completedCheckpoints(job) < 2) Thread.sleep(200);

            flink.killTaskManager(); // mid-stream: the producer is still going
            Thread.sleep(2_000);
            flink.startTaskManager();
            flink.awaitRunning(job, Duration.ofSeconds(120));
            producer.join();
            flush(kafka, in, 4, gen.baseTime(n) + 3_600_000L);

            awaitOracle(kafka, rows, late, gen, n, JobConfig.defaults(), k -> true);
            assertThat(dropped(kafka, late))
                    .as("no event of this stream is too late")
                    .isEmpty();
            assertThat(flink.restoredCount(job))
                    .as("restored from a checkpoint")
                    .isGreaterThanOrEqualTo(1);
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
    }

    @Test
    void savepointRedeployWithAnotherSpecEarlyIntervalAndParallelismLosesNothing(KafkaServer kafka, FlinkCluster flink)
            throws Exception {
        String in = kafka.freshTopic("events", 4),
                rows = kafka.freshTopic("rollups", 2),
                late = kafka.freshTopic("late", 1);
        long n = 40_000, half = n / 2;
        EventGenerator gen = StoreRuns.generator(12);
        String v1Specs = "windows.specs=tumbling 1m,sliding 5m/1m";
        String job1 = flink.submit(
                jar(), args(kafka, in, rows, late, v1Specs, "windows.early-interval=1s", "job.parallelism=2"), 2, null);
        flink.awaitRunning(job1, Duration.ofSeconds(60));
        produce(kafka, in, gen, 0, half, 4_000).join();
        Thread.sleep(3_000);
        String savepoint = flink.stopWithSavepoint(job1);
        long maxTsBefore = 0;
        for (long i = 0; i < half; i++) {
            var g = gen.get(i);
            if (g.event() != null) maxTsBefore = Math.max(maxTsBefore, g.event().timestamp());
        }

        Thread producer = produce(kafka, in, gen, half, n, 4_000); // traffic keeps going across the redeploy
        String v2Specs = "windows.specs=tumbling 1m,sliding 5m/1m,sliding 60m/1m";
        String job2 = flink.submit(
                jar(),
                args(kafka, in, rows, late, v2Specs, "windows.early-interval=100ms", "job.parallelism=1"),
                1,
                savepoint);
        try {
            flink.awaitRunning(job2, Duration.ofSeconds(60));
            producer.join();
            flush(kafka, in, 4, gen.baseTime(n) + 3_600_000L);

            // the specs of v1 are exact for every window; the new spec for windows that start after the
            // redeploy's watermark (here: after every event of the first half)
            long cut = maxTsBefore;
            JobConfig v2 = JobConfig.defaults().with("windows.specs", "tumbling 1m,sliding 5m/1m,sliding 60m/1m");
            awaitOracle(
                    kafka,
                    rows,
                    late,
                    gen,
                    n,
                    v2,
                    k -> !k.contains("|sliding-1h-1m|") || Long.parseLong(k.substring(k.lastIndexOf('|') + 1)) >= cut);
        } finally {
            flink.cancel(job2);
            flink.awaitTerminal(job2, Duration.ofSeconds(60));
        }
    }

    /**
     * The cold path across a TaskManager crash: the TaskManager is killed while the Parquet files of
     * the last flushes are still in progress (1 s flushes, 1 s checkpoints, traffic still flowing);
     * after recovery every window's newest cold row equals the oracle (nothing missing) and no
     * (window, version) is in two files or twice in one (nothing written twice).
     */
    @Test
    void coldParquetFilesHaveNoDuplicateAndNoMissingRowAfterTheTaskManagerIsKilled(
            KafkaServer kafka, FlinkCluster flink) throws Exception {
        String in = kafka.freshTopic("events", 4),
                rows = kafka.freshTopic("rollups", 2),
                late = kafka.freshTopic("late", 1);
        Path cold = java.nio.file.Files.createTempDirectory(flink.tmpDir(), "cold-");
        long n = 40_000;
        EventGenerator gen = StoreRuns.generator(13);
        Thread producer = produce(kafka, in, gen, 0, n, 4_000);
        String job = flink.submit(
                jar(), args(kafka, in, rows, late, "cold.path=" + cold, "cold.flush-interval=1s"), 2, null);
        try {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            while (coldFiles(cold, true) < 3 || coldFiles(cold, false) < 1) Thread.sleep(100);
            long inProgress = coldFiles(cold, false);
            flink.killTaskManager(); // files in progress, the producer still going
            Thread.sleep(2_000);
            flink.startTaskManager();
            flink.awaitRunning(job, Duration.ofSeconds(120));
            producer.join();
            flush(kafka, in, 4, gen.baseTime(n) + 3_600_000L);

            Map<String, Oracle.Values> expected =
                    Oracle.expected(gen, n, JobConfig.defaults().windowSpecs(), dropped(kafka, late));
            List<String> diff = List.of("not checked");
            List<WindowRow> all = List.of();
            for (long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    System.nanoTime() < deadline && !diff.isEmpty();
                    Thread.sleep(2000)) {
                all = coldRows(cold);
                diff = Oracle.diff(expected, Oracle.values(Oracle.latest(all)), 10);
            }
            assertThat(diff).as("newest cold row per window vs oracle").isEmpty();
            Map<String, Long> copies = new TreeMap<>();
            for (WindowRow r : all) copies.merge(r.windowKey() + "@" + r.version(), 1L, Long::sum);
            copies.values().removeIf(c -> c == 1);
            assertThat(copies).as("(window, version) written more than once").isEmpty();
            assertThat(flink.restoredCount(job))
                    .as("restored from a checkpoint")
                    .isGreaterThanOrEqualTo(1);
            long files = coldFiles(cold, true);
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));

            // compaction: one file per tenant-day, the newest row of every window unchanged
            int rc = new picocli.CommandLine(new io.rollcast.jobs.tools.ColdCompactCli())
                    .execute("--path", cold.toString(), "--min-age", "0s");
            assertThat(rc).isZero();
            long partitions;
            try (var s = java.nio.file.Files.walk(cold)) {
                partitions = s.filter(p -> p.getFileName().toString().startsWith("date="))
                        .count();
            }
            assertThat(coldFiles(cold, true)).isEqualTo(partitions);
            List<WindowRow> compacted = coldRows(cold);
            assertThat(Oracle.diff(expected, Oracle.values(Oracle.latest(compacted)), 10))
                    .isEmpty();
            assertThat(compacted).hasSize(Oracle.latest(all).size());
            System.out.printf(
                    "cold IT: %d windows equal the oracle in %d cold rows, %d Parquet files (%d in progress at the"
                            + " kill); compacted into %d files, %d rows%n",
                    expected.size(), all.size(), files, inProgress, partitions, compacted.size());
        } finally {
            if (!flink.jobState(job).equals("CANCELED")) {
                flink.cancel(job);
                flink.awaitTerminal(job, Duration.ofSeconds(60));
            }
        }
    }

    /** Committed Parquet files ({@code committed}) or in-progress ones under the cold root. */
    static long coldFiles(Path root, boolean committed) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(root)) return 0;
        try (var s = java.nio.file.Files.walk(root)) {
            return s.filter(p -> {
                        String name = p.getFileName().toString();
                        return committed
                                ? name.endsWith(".parquet") && !name.startsWith(".")
                                : name.contains(".inprogress");
                    })
                    .count();
        }
    }

    /** Every version of every row in the cold files, without the flush tenant. */
    static List<WindowRow> coldRows(Path root) throws java.io.IOException {
        io.rollcast.store.ColdStore store = new io.rollcast.store.ColdStore(root);
        List<WindowRow> out = new ArrayList<>();
        try (var tenants = java.nio.file.Files.list(root)) {
            for (Path t : tenants.toList()) {
                String tenant = t.getFileName().toString().substring("tenant_id=".length());
                if (tenant.equals(FLUSH_TENANT)) continue;
                try (var days = java.nio.file.Files.list(t)) {
                    for (Path d : days.toList()) {
                        out.addAll(store.allVersions(
                                tenant,
                                java.time.LocalDate.parse(
                                        d.getFileName().toString().substring(5))));
                    }
                }
            }
        }
        return out;
    }
}
