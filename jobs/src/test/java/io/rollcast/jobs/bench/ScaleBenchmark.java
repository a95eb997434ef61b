package io.rollcast.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import redis.clients.jedis.Jedis;

/**
 * Soak and scale on the real local cluster (issue 19 item 5), with the shaded job jar as users
 * submit it (JobManager and one TaskManager with 2 slots, RocksDB, incremental checkpoints every 10 s):
 *
 * <ul>
 *   <li>{@code soak [minutes] [fraction] [tenants] [types] [accel] [key=value...]}: first the
 *       maximum live rate as the pipeline benchmark measures it (a warm-up job, then the live
 *       configuration over 2 000 000 preloaded events from the earliest offset); then the whole
 *       pipeline (both stores, Redis live, the changelog topic, early rows every 100 ms) fed for
 *       {@code minutes} (30) at {@code fraction} (0.7) of that rate by a paced producer. Once a
 *       minute: events produced and into window-rollups (the lag says whether the job keeps up),
 *       completed and failed checkpoints, the TaskManager's heap after a full GC ({@code jcmd
 *       GC.run}; one forced pause a minute), the size of its RocksDB directories, and Redis'
 *       used memory. Event time advances {@code accel} (4) times the wall clock, ending near it, so
 *       the 60-minute windows close and purge within the run: state must be flat from then on.</li>
 *   <li>{@code keys [events] [keyCounts] [key=value...]}: the same number of events over 1 000 and
 *       over 1 000 000 (tenant, type) keys (comma-separated {@code keyCounts}), each key one event
 *       per minute of event time on average, so every window row aggregates the same number of
 *       events and only the number of live keys differs; tumbling 1m, no sinks, no early rows.
 *       Prints events/s (10-90 % of the input, as the pipeline benchmark) and the incremental
 *       checkpoints' durations and sizes.</li>
 * </ul>
 */
public final class ScaleBenchmark {
    static final Pattern FULL_GC = Pattern.compile("Pause Full \\(Diagnostic Command\\) \\d+M->(\\d+)M");

    public static void main(String[] a) throws Exception {
        String mode = a.length > 0 ? a[0] : "";
        List<String> rest = a.length > 1 ? List.of(a).subList(1, a.length) : List.of();
        switch (mode) {
            case "soak" -> soak(rest);
            case "keys" -> keys(rest);
            default -> throw new IllegalArgumentException("usage: ScaleBenchmark soak|keys [args]");
        }
        System.exit(0); // the testkit's shutdown hook stops the servers
    }

    record Stack(
            KafkaServer kafka,
            PostgresServer pg,
            ClickHouseServer ch,
            RedisServer redis,
            FlinkCluster flink,
            Path jar) {}

    static Stack stack() {
        Stack s = new Stack(
                RealServers.startForMain(KafkaServer.class),
                RealServers.startForMain(PostgresServer.class),
                RealServers.startForMain(ClickHouseServer.class),
                RealServers.startForMain(RedisServer.class),
                RealServers.startForMain(FlinkCluster.class),
                Path.of("target/rollcast-jobs.jar"));
        if (!Files.exists(s.jar()))
            throw new IllegalStateException("no " + s.jar().toAbsolutePath() + " (mvn -pl jobs package)");
        return s;
    }

    /** {@code n} clean events of {@code tenants x types} keys into a fresh 4-partition topic; event time from {@code start}. */
    static String preload(
            KafkaServer kafka, String prefix, int tenants, int types, double eventTimeRate, long start, long n) {
        String topic = kafka.freshTopic(prefix, PipelineBenchmark.PARTITIONS);
        EventGenerator gen = new EventGenerator(GeneratorConfig.clean(7, tenants, types, start, eventTimeRate));
        Properties pp = kafka.producerProperties();
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        long t0 = System.nanoTime();
        try (var p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < n; i++) {
                var g = gen.get(i);
                p.send(new ProducerRecord<>(topic, g.key(), g.value()));
            }
        }
        System.out.printf(
                "preloaded %,d events (%d tenants x %d types, %.2f events per key-minute, %.0f min of event time) in %.1f s%n",
                n,
                tenants,
                types,
                eventTimeRate * 60 / ((double) tenants * types),
                n / eventTimeRate / 60,
                (System.nanoTime() - t0) / 1e9);
        return topic;
    }

    /** The maximum live rate: a warm-up job, then the live configuration over {@code n} preloaded dense events. */
    static double maxLiveRate(Stack s, int tenants, int types, long n, List<String> extra, Path work) throws Exception {
        String topic = preload(s.kafka(), "soak-max", tenants, types, tenants * types, 1_767_225_600_000L, n);
        PipelineBenchmark.runJob(s.flink(), s.jar(), "warm-up", args(s, topic, "warmup", extra), n / 4, work);
        PipelineBenchmark.Run live =
                PipelineBenchmark.runJob(s.flink(), s.jar(), "live", args(s, topic, "live", extra), n, work);
        System.out.printf("max live rate: %,.0f events/s (10-90 %% of %,d events)%n", live.rate(), n);
        return live.rate();
    }

    static List<String> args(Stack s, String topic, String name, List<String> extra) {
        return PipelineBenchmark.jobArgs(s.kafka(), s.pg(), s.ch(), s.redis(), topic, name, extra);
    }

    /** {@code --set key=value} pairs. */
    static List<String> sets(List<String> kvs) {
        List<String> out = new ArrayList<>();
        for (String kv : kvs) {
            out.add("--set");
            out.add(kv);
        }
        return out;
    }

    // ------------------------------------------------------------------ keys

    static void keys(List<String> a) throws Exception {
        long n = a.size() > 0 ? Long.parseLong(a.get(0)) : 6_000_000L;
        List<Integer> counts = Stream.of((a.size() > 1 ? a.get(1) : "1000,1000000").split(","))
                .map(x -> Integer.parseInt(x.trim()))
                .toList();
        List<String> extra = new ArrayList<>(List.of(
                "store.type=none",
                "redis.enabled=false",
                "kafka.rows-topic=",
                "windows.specs=tumbling 1m",
                "windows.early-interval=0s"));
        if (a.size() > 2) extra.addAll(a.subList(2, a.size()));
        Path work = Path.of("target", "bench");
        Files.createDirectories(work);
        Stack s = stack();
        List<String> topics = new ArrayList<>();
        for (int k : counts) {
            if (k % 10 != 0) throw new IllegalArgumentException("key counts are tenants x 10 types: " + k);
            topics.add(preload(s.kafka(), "keys-" + k, k / 10, 10, k / 60.0, 1_767_225_600_000L, n));
        }
        PipelineBenchmark.runJob(s.flink(), s.jar(), "warm-up", args(s, topics.get(0), "warmup", extra), n / 4, work);
        List<PipelineBenchmark.Run> runs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < counts.size(); i++) {
            runs.add(PipelineBenchmark.runJob(
                    s.flink(), s.jar(), "keys-" + counts.get(i), args(s, topics.get(i), "keys", extra), n, work));
            labels.add(String.format("%,d", counts.get(i)));
        }
        // -Dbench.keys-sets='a=1;b=2|c=3': the last key count again with each set of job settings, side by side
        int last = counts.size() - 1;
        for (String set : ShapesBenchmark.sets("bench.keys-sets")) {
            List<String> with = new ArrayList<>(extra);
            for (String kv : set.split(";")) if (!kv.isBlank()) with.add(kv.trim());
            runs.add(PipelineBenchmark.runJob(
                    s.flink(),
                    s.jar(),
                    "keys-" + counts.get(last) + " " + set,
                    args(s, topics.get(last), "keys", with),
                    n,
                    work));
            labels.add(String.format("%,d, %s", counts.get(last), set));
        }
        System.out.printf("%n## Live keys (%s)%n%n", new java.util.Date());
        System.out.printf(
                "%,d events per case, 4 partitions, one event per key-minute on average (keys uniformly at random),"
                        + " job parallelism 2 on one TaskManager (2 slots, RocksDB, incremental checkpoints every 10 s);"
                        + " job settings: %s%n%n",
                n, String.join(" ", extra));
        System.out.println(
                "| keys | events/s (10-90 %) | vs first | checkpoints (whole run) | checkpoint p99 | failed (a trigger before the"
                        + " tasks run counts) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < runs.size(); i++) {
            PipelineBenchmark.Run r = runs.get(i);
            List<Checkpoints.Done> all = r.checkpoints().all();
            System.out.printf(
                    "| %s | %,.0f | %.2f | %s | %d ms | %d |%n",
                    labels.get(i),
                    r.rate(),
                    r.rate() / runs.get(0).rate(),
                    Checkpoints.summary(all),
                    Checkpoints.p99(all),
                    r.checkpoints().failed());
        }
        keepLogs(s.flink(), work, "keys");
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).profile() != null) runs.get(i).profile().print("keys " + labels.get(i), 12);
        }
    }

    // ------------------------------------------------------------------ soak

    record Sample(
            double minute,
            long produced,
            long consumed,
            long completed,
            long failed,
            long heapAfterGc,
            long rocksDb,
            long redisUsed) {}

    static void soak(List<String> a) throws Exception {
        int minutes = a.size() > 0 ? Integer.parseInt(a.get(0)) : 30;
        double fraction = a.size() > 1 ? Double.parseDouble(a.get(1)) : 0.7;
        int tenants = a.size() > 2 ? Integer.parseInt(a.get(2)) : 100;
        int types = a.size() > 3 ? Integer.parseInt(a.get(3)) : 10;
        int accel = a.size() > 4 ? Integer.parseInt(a.get(4)) : 4;
        List<String> extra = a.size() > 5 ? a.subList(5, a.size()) : List.of();
        Path work = Path.of("target", "bench");
        Files.createDirectories(work);
        Stack s = stack();

        double max = maxLiveRate(s, tenants, types, Long.getLong("bench.max-events", 2_000_000L), extra, work);
        int rate = (int) (max * fraction);

        // a day of soak input would fill the disk: the topics keep 10 minutes
        Map<String, String> shortLived = Map.of("retention.ms", "600000", "segment.bytes", "134217728");
        String topic = "soak-events-" + System.nanoTime();
        s.kafka().createTopic(topic, PipelineBenchmark.PARTITIONS, shortLived);
        String rows = "soak-rows-" + System.nanoTime();
        s.kafka().createTopic(rows, 2, shortLived);
        List<String> jobExtra = new ArrayList<>(extra);
        jobExtra.add("kafka.rows-topic=" + rows);
        List<String> jobArgs = args(s, topic, "soak", jobExtra);
        io.rollcast.jobs.Schemas.migrate(jobArgs);
        String job = s.flink().submit(s.jar(), jobArgs, 2, null);
        s.flink().awaitRunning(job, Duration.ofSeconds(60));
        Thread.sleep(3000); // sources assigned their partitions

        long durationMs = minutes * 60_000L;
        long wallStart = System.currentTimeMillis();
        // event time runs accel x the wall clock and ends at about the wall clock (input.max-future is 1 h)
        long eventStart = wallStart - (accel - 1) * durationMs;
        EventGenerator gen =
                new EventGenerator(GeneratorConfig.clean(13, tenants, types, eventStart, rate / (double) accel));
        AtomicLong produced = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread producer = new Thread(
                () -> {
                    Properties pp = s.kafka().producerProperties();
                    pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                    long t0 = System.nanoTime();
                    try (var p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                        for (long i = 0; !stop.get(); i++) {
                            long wait = t0 + i * 1_000_000_000L / rate - System.nanoTime();
                            if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                            var g = gen.get(i);
                            p.send(new ProducerRecord<>(topic, g.key(), g.value()));
                            produced.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "soak-producer");
        producer.start();

        System.out.printf(
                "%nsoak: %d min at %,d events/s (%.2f of the max live rate %,.0f), %d tenants x %d types, event time %dx the"
                        + " wall clock%n",
                minutes, rate, fraction, max, tenants, types, accel);
        System.out.println(
                "| minute | produced | into window-rollups | behind (s; REST metrics lag <= 2 s) | checkpoints ok | failed | heap after full GC (MB) |"
                        + " RocksDB dirs (MB) | Redis used (MB) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        Checkpoints checkpoints = new Checkpoints();
        List<Sample> samples = new ArrayList<>();
        String failure = null;
        long nextSample = wallStart + 60_000;
        try {
            while (System.currentTimeMillis() < wallStart + durationMs) {
                Thread.sleep(5_000);
                checkpoints.poll(s.flink(), job);
                JsonNode j = s.flink().rest("/jobs/" + job);
                String state = j.path("state").asText();
                if (!state.equals("RUNNING")) {
                    failure = "job " + state + " after " + (System.currentTimeMillis() - wallStart) / 1000 + " s";
                    break;
                }
                if (System.currentTimeMillis() < nextSample) continue;
                nextSample += 60_000;
                long consumed = PipelineBenchmark.recordsIntoRollups(j);
                long prod = produced.get();
                Sample x = new Sample(
                        (System.currentTimeMillis() - wallStart) / 60_000.0,
                        prod,
                        consumed,
                        checkpoints.all().size(),
                        checkpoints.failed(),
                        heapAfterFullGc(s.flink()),
                        directoryBytes(s.flink().tmpDir(), "job_" + job),
                        redisUsed(s.redis()));
                samples.add(x);
                System.out.printf(
                        "| %.1f | %,d | %,d | %.1f | %d | %d | %.0f | %.0f | %.0f |%n",
                        x.minute(),
                        x.produced(),
                        x.consumed(),
                        (x.produced() - x.consumed()) / (double) rate,
                        x.completed(),
                        x.failed(),
                        x.heapAfterGc() / 1e6,
                        x.rocksDb() / 1e6,
                        x.redisUsed() / 1e6);
            }
        } finally {
            stop.set(true);
            producer.join(30_000);
            checkpoints.poll(s.flink(), job);
            s.flink().cancel(job);
            s.flink().awaitTerminal(job, Duration.ofSeconds(60));
        }
        long wallMs = System.currentTimeMillis() - wallStart;
        String histogram = "";
        try {
            histogram = jcmd(s.flink().taskManagerPid(), "GC.class_histogram")
                    .lines()
                    .limit(18)
                    .collect(java.util.stream.Collectors.joining("\n"));
        } catch (IOException e) {
            histogram = "(no histogram: " + e + ")";
        }

        System.out.printf("%n## Soak (%s)%n%n", new java.util.Date());
        System.out.printf(
                "Whole pipeline (both stores, Redis live, changelog topic, early rows every 100 ms), %d tenants x %d types,"
                        + " target %,d events/s = %.2f x the max live rate %,.0f measured in the same run; extra settings: %s%n",
                tenants, types, rate, fraction, max, extra.isEmpty() ? "none" : String.join(" ", extra));
        System.out.printf(
                "Produced %,d events in %.1f min (%,.0f events/s)%s%n",
                produced.get(),
                wallMs / 60_000.0,
                produced.get() / (wallMs / 1000.0),
                failure == null ? "" : "; " + failure);
        System.out.printf(
                "Checkpoints: %s; failed %d; %d missed by the REST history%n",
                Checkpoints.summary(checkpoints.all()), checkpoints.failed(), checkpoints.missed());
        // the longest default window (60 min) + allowed lateness (5 min) + a minute, in wall minutes
        double purged = 66.0 / accel;
        List<Sample> steady = samples.stream().filter(x -> x.minute() >= purged).toList();
        if (steady.size() >= 2) {
            System.out.printf(
                    "From minute %.1f (the first 60-minute windows purged at event time %dx the wall clock), %d samples:%n",
                    purged, accel, steady.size());
            trend("heap after full GC", steady, Sample::heapAfterGc);
            trend("RocksDB directories", steady, Sample::rocksDb);
            trend("Redis used memory", steady, Sample::redisUsed);
            Sample first = steady.get(0), last = steady.get(steady.size() - 1);
            System.out.printf(
                    "  lag: %.1f s at minute %.1f, %.1f s at minute %.1f%n",
                    (first.produced() - first.consumed()) / (double) rate,
                    first.minute(),
                    (last.produced() - last.consumed()) / (double) rate,
                    last.minute());
        } else {
            System.out.println("(too short to reach the steady state)");
        }
        System.out.printf(
                "%nTaskManager heap by class after the run (jcmd GC.class_histogram, top 15):%n%s%n", histogram);
    }

    /** First, last, min, max and the least-squares slope of a sampled size over the steady phase. */
    static void trend(String name, List<Sample> xs, java.util.function.ToLongFunction<Sample> f) {
        double n = xs.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (Sample x : xs) {
            double y = f.applyAsLong(x) / 1e6;
            sx += x.minute();
            sy += y;
            sxx += x.minute() * x.minute();
            sxy += x.minute() * y;
            min = Math.min(min, f.applyAsLong(x));
            max = Math.max(max, f.applyAsLong(x));
        }
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        System.out.printf(
                "  %s: %.0f MB -> %.0f MB (min %.0f, max %.0f); trend %+.2f MB per minute (%+.1f %% of the mean per 10 minutes)%n",
                name,
                f.applyAsLong(xs.get(0)) / 1e6,
                f.applyAsLong(xs.get(xs.size() - 1)) / 1e6,
                min / 1e6,
                max / 1e6,
                slope,
                sy == 0 ? 0 : 100 * slope * 10 / (sy / n));
    }

    /**
     * The TaskManager's live heap: a full GC ({@code jcmd GC.run}), then its result from the GC log
     * ({@code Pause Full (Diagnostic Command) 285M->68M}): reading the heap with a second jcmd would
     * count what was allocated meanwhile (young collections run every second at this rate).
     */
    static long heapAfterFullGc(FlinkCluster flink) throws IOException, InterruptedException {
        jcmd(flink.taskManagerPid(), "GC.run");
        Path log = flink.logDir().resolve("taskmanager-gc.log");
        long after = -1;
        for (String line : Files.readAllLines(log)) {
            Matcher m = FULL_GC.matcher(line);
            if (m.find()) after = Long.parseLong(m.group(1)) << 20;
        }
        return after;
    }

    /** Copies the cluster's logs (with the GC logs) to {@code work/flink-logs-<name>}: the cluster's directory goes with the JVM. */
    static void keepLogs(FlinkCluster flink, Path work, String name) throws IOException {
        Path logs = work.resolve("flink-logs-" + name);
        Files.createDirectories(logs);
        try (Stream<Path> files = Files.list(flink.logDir())) {
            for (Path f : files.toList())
                Files.copy(f, logs.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf("Flink logs (GC logs included) kept in %s%n", logs.toAbsolutePath());
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /**
     * Bytes of the regular files under the directories below {@code dir} (3 levels deep: RocksDB works in
     * {@code <io.tmp.dirs>/flink-io-<uuid>/job_<job>_op_...}) whose names start with {@code prefix}.
     */
    static long directoryBytes(Path dir, String prefix) throws IOException {
        long sum = 0;
        List<Path> roots;
        try (Stream<Path> top = Files.walk(dir, 3)) {
            roots = top.filter(p ->
                            Files.isDirectory(p) && p.getFileName().toString().startsWith(prefix))
                    .toList();
        }
        for (Path d : roots) {
            try (Stream<Path> files = Files.walk(d)) {
                sum += files.filter(Files::isRegularFile)
                        .mapToLong(f -> {
                            try {
                                return Files.size(f);
                            } catch (IOException e) {
                                return 0; // deleted by a compaction meanwhile
                            }
                        })
                        .sum();
            } catch (java.io.UncheckedIOException e) {
                // a directory deleted while walking (compaction): counted as far as it was read
            }
        }
        return sum;
    }

    static long redisUsed(RedisServer redis) {
        try (Jedis j = new Jedis(redis.uri())) {
            for (String line : j.info("memory").split("\r?\n")) {
                if (line.startsWith("used_memory:"))
                    return Long.parseLong(line.substring(12).trim());
            }
        }
        return -1;
    }

    private ScaleBenchmark() {}
}
