package io.rollcast.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The pipeline benchmark: the shaded job jar on the real local Flink session cluster (JobManager and
 * one TaskManager with 2 slots, RocksDB), reading a real Kafka topic and writing Postgres, ClickHouse,
 * Redis and the Kafka changelog, with the fan-out server and SSE clients for the latency run.
 *
 * <ol>
 *   <li>raw: a plain KafkaConsumer reads the preloaded topic (bytes only);</li>
 *   <li>live: the job with the live configuration (early rows every 100 ms, Redis live) from the
 *       earliest offset, i.e. its maximum sustained rate; async-profiler samples the TaskManager;</li>
 *   <li>backfill: {@code --backfill} over the same topic (the backfill configuration);</li>
 *   <li>latency: events produced at half the live rate with wall-clock timestamps, event → SSE
 *       client latency for the tumbling-1m windows of a few tenants.</li>
 * </ol>
 *
 * Rates are read from the job's own metrics (records into window-rollups, REST, refreshed every 2 s)
 * between 10 % and 90 % of the input, so start-up and the final flush do not count. Run with
 * {@code bin/bench pipeline [events] [tenants] [types] [latencySeconds] [jobArgs...]}.
 */
public final class PipelineBenchmark {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int PARTITIONS = 4;
    static final String SPEC = "tumbling-1m";

    record LatencyRun(int rate, long[][] spans, List<String> cpu, String notes) {}

    record Run(
            String name,
            double rate,
            double seconds,
            double totalSeconds,
            Profiler.Summary profile,
            List<String> load,
            List<String> cpu,
            /* completed checkpoints and the wall-clock ms at 10 % and 90 % of the input */
            Checkpoints checkpoints,
            long t10Ms,
            long t90Ms) {}

    /** Per vertex: busy / back-pressured / idle ms per second, averaged over subtasks (Flink's own task metrics). */
    static List<String> vertexLoad(FlinkCluster flink, String job) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode v : flink.rest("/jobs/" + job).path("vertices")) {
            JsonNode m = flink.rest(
                    "/jobs/" + job + "/vertices/" + v.path("id").asText()
                            + "/subtasks/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond,idleTimeMsPerSecond&agg=avg");
            Map<String, Double> byId = new HashMap<>();
            m.forEach(x -> byId.put(x.path("id").asText(), x.path("avg").asDouble()));
            String name = v.path("name").asText();
            out.add(String.format(
                    "| %s | %.0f | %.0f | %.0f |",
                    name.length() > 70 ? name.substring(0, 67) + "..." : name,
                    byId.getOrDefault("busyTimeMsPerSecond", -1.0),
                    byId.getOrDefault("backPressuredTimeMsPerSecond", -1.0),
                    byId.getOrDefault("idleTimeMsPerSecond", -1.0)));
        }
        return out;
    }

    static void printCpu(String title, List<String> rows) {
        if (rows == null) return;
        System.out.printf("%n### CPU by process, %s (cores)%n%n| process | cores |%n|---|---|%n", title);
        rows.forEach(System.out::println);
    }

    static void printLoad(String title, List<String> load) {
        if (load == null || load.isEmpty()) return;
        System.out.printf(
                "%n### Task load, %s (ms per second, average over subtasks)%n%n| vertex | busy | back-pressured | idle |%n|---|---|---|---|%n",
                title);
        load.forEach(System.out::println);
    }

    public static void main(String[] a) throws Exception {
        long n = a.length > 0 ? Long.parseLong(a[0]) : 3_000_000L;
        int tenants = a.length > 1 ? Integer.parseInt(a[1]) : 100;
        int types = a.length > 2 ? Integer.parseInt(a[2]) : 10;
        int latencySeconds = a.length > 3 ? Integer.parseInt(a[3]) : 60;
        List<String> extra = a.length > 4 ? List.of(a).subList(4, a.length) : List.of();
        Path work = Path.of("target", "bench");
        Files.createDirectories(work);

        KafkaServer kafka = RealServers.startForMain(KafkaServer.class);
        PostgresServer pg = RealServers.startForMain(PostgresServer.class);
        ClickHouseServer ch = RealServers.startForMain(ClickHouseServer.class);
        RedisServer redis = RealServers.startForMain(RedisServer.class);
        FlinkCluster flink = RealServers.startForMain(FlinkCluster.class);
        Path jar = Path.of("target/rollcast-jobs.jar");
        if (!Files.exists(jar))
            throw new IllegalStateException("no " + jar.toAbsolutePath() + " (mvn -pl jobs package)");

        // ---- the input: clean events, every key active; event time advances 1 s per key and event
        String topic = kafka.freshTopic("bench-events", PARTITIONS);
        double eventTimeRate = tenants * types;
        EventGenerator gen =
                new EventGenerator(GeneratorConfig.clean(7, tenants, types, 1_767_225_600_000L, eventTimeRate));
        long t0 = System.nanoTime();
        Properties pp = kafka.producerProperties();
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        try (var p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < n; i++) {
                var g = gen.get(i);
                p.send(new ProducerRecord<>(topic, g.key(), g.value()));
            }
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long bytes = 0;
        for (long i = 0; i < 1000; i++) bytes += gen.get(i).value().length;
        System.out.printf(
                "preloaded %,d events (%d tenants x %d types, ~%d bytes each, event time %.0f min) in %.1f s%n",
                n, tenants, types, bytes / 1000, n / eventTimeRate / 60, loadSeconds);

        // ---- raw consumer
        double raw = rawConsumer(kafka, topic, n);
        System.out.printf("raw consumer: %,.0f events/s%n", raw);

        // ---- warm-up: the TaskManager JVM is fresh; a first job over a quarter of the input JIT-compiles the hot
        // paths
        runJob(flink, jar, "warm-up", jobArgs(kafka, pg, ch, redis, topic, "warmup", extra), n / 4, work);
        // ---- the job, live configuration, from the earliest offset
        List<String> live = jobArgs(kafka, pg, ch, redis, topic, "live", extra);
        Run liveRun = runJob(flink, jar, "live", live, n, work);
        // ---- backfill over the same topic
        List<String> bf = new ArrayList<>(jobArgs(kafka, pg, ch, redis, topic, "backfill", extra));
        bf.add("--backfill");
        Run bfRun = runJob(flink, jar, "backfill", bf, n, work);

        // ---- latency at half the live rate (what the issue asks) and at a quarter (headroom for the producer and
        // broker)
        List<LatencyRun> latencies = new ArrayList<>();
        // -Dbench.latency-divisors=2: only the half-rate run (e.g. a 10-minute one); default 2,4
        int[] divisors = java.util.Arrays.stream(
                        System.getProperty("bench.latency-divisors", "2,4").split(","))
                .mapToInt(x -> Integer.parseInt(x.trim()))
                .toArray();
        if (Boolean.getBoolean("bench.quarter-first")) divisors = new int[] {4, 2};
        // -Dbench.fresh-tm=true: a new TaskManager JVM before each latency run, so that job is the first this JVM
        // runs (as in application mode, where the compose stack and the Helm chart run the job): earlier jobs'
        // classes, code cache and heap are not there
        boolean freshTm = Boolean.getBoolean("bench.fresh-tm");
        for (int div : divisors) {
            int rate = (int) Math.max(100, liveRun.rate() / div);
            if (freshTm) {
                flink.stopTaskManager();
                flink.startTaskManager();
                System.out.println("  latency: a fresh TaskManager (pid " + flink.taskManagerPid() + ")");
            }
            latencies.add(latency(kafka, pg, ch, redis, flink, jar, tenants, types, rate, latencySeconds, extra));
        }

        System.out.printf("%n## Pipeline benchmark (%s)%n%n", new java.util.Date());
        System.out.printf(
                "Input: %,d events, %d partitions, %d tenants x %d event types, specs tumbling 1m + sliding 5m/1m + sliding 60m/1m; "
                        + "job parallelism 2 on one TaskManager (2 slots), early rows every 100 ms, store both + Redis live + changelog topic. "
                        + "Extra job settings: %s%n%n",
                n, PARTITIONS, tenants, types, extra.isEmpty() ? "none" : String.join(" ", extra));
        System.out.println("| run | events/s | per core (2) | vs raw consumer | measured over |");
        System.out.println("|---|---|---|---|---|");
        System.out.printf("| raw KafkaConsumer (bytes only) | %,.0f | %,.0f | 1.00 | all %,d |%n", raw, raw / 2, n);
        for (Run r : List.of(liveRun, bfRun)) {
            System.out.printf(
                    "| job, %s config | %,.0f | %,.0f | %.2f | 10-90 %% in %.1f s (whole run %.1f s) |%n",
                    r.name(), r.rate(), r.rate() / 2, r.rate() / raw, r.seconds(), r.totalSeconds());
        }
        System.out.printf("%nBackfill / live: %.2f x%n", bfRun.rate() / liveRun.rate());
        for (Run r : List.of(liveRun, bfRun))
            System.out.printf(
                    "Checkpoints, %s run, 10-90 %%: %s%n",
                    r.name(), Checkpoints.summary(r.checkpoints().between(r.t10Ms(), r.t90Ms())));
        for (LatencyRun l : latencies) {
            System.out.printf(
                    "%n### Event -> SSE client latency at %,d events/s (%.2f of the live rate), %d s, early rows every 100 ms%n%n",
                    l.rate(), l.rate() / liveRun.rate(), latencySeconds);
            System.out.println("| span | events | p50 | p90 | p99 | max |");
            System.out.println("|---|---|---|---|---|---|");
            latencyRow("event produced -> SSE client", l.spans()[0], 1e6);
            latencyRow("event produced -> row emitted (emitted_at)", l.spans()[1], 1);
            latencyRow("row emitted -> SSE client", l.spans()[2], 1);
            System.out.printf("%n%s%n", l.notes());
        }
        printLoad("live run at 50 %", liveRun.load());
        printLoad("backfill run at 50 %", bfRun.load());
        printCpu("live run, 10-90 %", liveRun.cpu());
        printCpu("backfill run, 10-90 %", bfRun.cpu());
        for (LatencyRun l : latencies) printCpu("latency run at " + l.rate() + " events/s", l.cpu());
        if (liveRun.profile() != null) liveRun.profile().print("live run", 12);
        if (bfRun.profile() != null) bfRun.profile().print("backfill run", 12);
        Path logs = work.resolve("flink-logs");
        Files.createDirectories(logs);
        try (var files = Files.list(flink.logDir())) {
            for (Path f : files.toList())
                Files.copy(f, logs.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf("%nFlink logs kept in %s%n", logs.toAbsolutePath());
        System.exit(0); // the testkit's shutdown hook stops the servers
    }

    static List<String> jobArgs(
            KafkaServer kafka,
            PostgresServer pg,
            ClickHouseServer ch,
            RedisServer redis,
            String topic,
            String name,
            List<String> extra) {
        List<String> s = new ArrayList<>(List.of(
                "kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "kafka.topic=" + topic,
                "kafka.group-id=bench-" + name,
                "kafka.starting-offsets=earliest",
                "kafka.rows-topic=" + kafka.freshTopic("bench-rows", 2),
                "kafka.late-topic=" + kafka.freshTopic("bench-late", 1),
                "kafka.dlq-topic=" + kafka.freshTopic("bench-dlq", 1),
                "windows.early-interval=100ms",
                "job.parallelism=2",
                "store.type=both",
                "store.postgres.url=" + pg.freshDatabase("bench"),
                "store.clickhouse.url=" + ch.httpUrl(),
                "store.clickhouse.database=" + ch.freshDatabase("bench"),
                "redis.enabled=true",
                "redis.uri=" + redis.uri()));
        s.addAll(extra);
        List<String> args = new ArrayList<>();
        for (String kv : s) {
            args.add("--set");
            args.add(kv);
        }
        return args;
    }

    static double rawConsumer(KafkaServer kafka, String topic, long n) {
        long t0 = System.nanoTime(), read = 0, sum = 0;
        try (var c = new KafkaConsumer<>(
                kafka.consumerProperties("bench-raw-" + System.nanoTime()),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (read < n) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    read++;
                    sum += r.value().length; // touch the bytes
                }
            }
        }
        if (sum == 0) throw new IllegalStateException("read nothing");
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    /** Submits the job, follows records into window-rollups, profiles the TaskManager between 20 % and 80 %. */
    static Run runJob(FlinkCluster flink, Path jar, String name, List<String> args, long n, Path work)
            throws Exception {
        io.rollcast.jobs.Schemas.migrate(args); // the job does no DDL
        long submitted = System.nanoTime();
        String job = flink.submit(jar, args, 2, null);
        Profiler profiler = new Profiler(flink.taskManagerPid(), work);
        boolean profiling = false, profiled = false;
        Path collapsed = work.resolve("profile-" + name + ".collapsed");
        boolean profileThis = !name.equals("warm-up");
        double profileSeconds = 0;
        long c10 = -1, c90 = -1, last = -1;
        List<String> load = null, cpu = null;
        CpuAccounting cpuFrom10 = null;
        long t10 = 0, t90 = 0, tAll = 0, t10Ms = 0, t90Ms = 0, nextPoll = 0;
        Checkpoints checkpoints = new Checkpoints();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonNode j = flink.rest("/jobs/" + job);
                String state = j.path("state").asText();
                if (state.equals("FAILED") || state.equals("CANCELED"))
                    throw new IllegalStateException(name + " job " + state);
                long count = recordsIntoRollups(j);
                long now = System.nanoTime();
                if (now >= nextPoll) { // the REST history keeps 10 checkpoints: every 2 s misses none
                    checkpoints.poll(flink, job);
                    nextPoll = now + 2_000_000_000L;
                }
                if (count != last) {
                    last = count;
                    if (c10 < 0 && count >= n / 10) {
                        c10 = count;
                        t10 = now;
                        t10Ms = System.currentTimeMillis();
                        cpuFrom10 = new CpuAccounting();
                    }
                    if (c90 < 0 && count >= n * 9 / 10) {
                        c90 = count;
                        t90 = now;
                        t90Ms = System.currentTimeMillis();
                        cpu = cpuFrom10 == null ? null : cpuFrom10.rows();
                    }
                    if (profileThis && !profiling && !profiled && count >= n / 5) {
                        profiler.start();
                        profiling = true;
                    }
                    if (load == null && count >= n / 2) load = vertexLoad(flink, job);
                    if (profiling && count >= n * 4 / 5) {
                        profileSeconds = profiler.stop(collapsed);
                        profiling = false;
                        profiled = true;
                    }
                    System.out.printf(
                            "  %s: %,d / %,d records into window-rollups after %.0f s (%s)%n",
                            name, count, n, (now - submitted) / 1e9, state);
                }
                if (count >= n && c90 >= 0) {
                    tAll = now;
                    if (state.equals("FINISHED")) break;
                    if (!args.contains("--backfill")) break;
                }
                if (state.equals("FINISHED")) {
                    tAll = now;
                    break;
                }
                Thread.sleep(200);
            }
            checkpoints.poll(flink, job);
        } finally {
            if (profiling) profileSeconds = profiler.stop(collapsed);
            if (!flink.jobState(job).equals("FINISHED")) flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
        if (c90 < 0)
            throw new IllegalStateException(
                    name + ": did not reach 90 % of the input in 10 minutes (last count " + last + ")");
        double seconds = (t90 - t10) / 1e9;
        Profiler.Summary profile = profileSeconds > 0 ? Profiler.summarize(collapsed, profileSeconds) : null;
        return new Run(
                name,
                (c90 - c10) / seconds,
                seconds,
                ((tAll == 0 ? System.nanoTime() : tAll) - submitted) / 1e9,
                profile,
                load,
                cpu,
                checkpoints,
                t10Ms,
                t90Ms);
    }

    static long recordsIntoRollups(JsonNode job) {
        for (JsonNode v : job.path("vertices")) {
            if (v.path("name").asText().startsWith("window-rollups"))
                return v.path("metrics").path("read-records").asLong();
        }
        throw new IllegalStateException("no window-rollups vertex in " + job);
    }

    // ------------------------------------------------------------------ latency

    static LatencyRun latency(
            KafkaServer kafka,
            PostgresServer pg,
            ClickHouseServer ch,
            RedisServer redis,
            FlinkCluster flink,
            Path jar,
            int tenants,
            int types,
            int rate,
            int seconds,
            List<String> extra)
            throws Exception {
        String topic = kafka.freshTopic("bench-latency", PARTITIONS);
        List<String> args = jobArgs(kafka, pg, ch, redis, topic, "latency", extra);
        String pgUrl = args.stream()
                .filter(s -> s.startsWith("store.postgres.url="))
                .findFirst()
                .orElseThrow()
                .substring("store.postgres.url=".length());
        io.rollcast.jobs.Schemas.migrate(args);
        String job = flink.submit(jar, args, 2, null);
        flink.awaitRunning(job, Duration.ofSeconds(60));
        Thread.sleep(3000); // sources assigned their partitions

        long start = System.currentTimeMillis();
        EventGenerator gen = new EventGenerator(GeneratorConfig.clean(11, tenants, types, start, rate));
        Set<String> measured = new LinkedHashSet<>();
        for (long i = 0; measured.size() < Math.min(10, tenants); i++)
            measured.add(gen.get(i).event().tenantId());
        Map<String, long[]> created = new ConcurrentHashMap<>();
        Map<String, Integer> createdN = new HashMap<>();
        List<SseClient> clients = new ArrayList<>();
        long warmupEnd, produceStart;
        List<String> cpuRows;
        try (FanoutServer fanout = TestServer.start(
                redis.uri().toString(),
                Map.of("store.type", "postgres", "store.postgres.url", pgUrl, "snapshot.max-range", "48h"))) {
            for (String t : measured) {
                SseClient c = SseClient.open(
                        fanout.port(),
                        "/v1/stream?spec=" + SPEC + "&from=" + (start - 3_600_000L) + "&to=" + (start + 7_200_000L)
                                + "&access_token=" + TestServer.token(t, SPEC));
                if (c.status(10_000) != 200)
                    throw new IllegalStateException("SSE stream for " + t + ": " + c.status(0) + " " + c.body());
                clients.add(c);
            }
            Properties pp = kafka.producerProperties();
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "1");
            long n = (long) rate * seconds;
            long t0 = System.nanoTime();
            produceStart = t0;
            CpuAccounting cpu = new CpuAccounting();
            warmupEnd = t0 + Math.min(10, seconds / 4) * 1_000_000_000L;
            try (var p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (long i = 0; i < n; i++) {
                    long due = t0 + i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) Thread.sleep(wait / 1_000_000);
                    if (i == n / 2)
                        new Thread(() -> jvmDiagnostics(flink, Path.of("target", "bench"), "latency-" + rate)).start();
                    var g = gen.get(i);
                    if (measured.contains(g.event().tenantId())) {
                        String w = g.event().tenantId() + "|" + g.event().eventType() + "|"
                                + Math.floorDiv(g.event().timestamp(), 60_000L) * 60_000L;
                        int k = createdN.merge(w, 1, Integer::sum);
                        long[] times = created.computeIfAbsent(w, x -> new long[64]);
                        if (k > times.length) created.put(w, times = Arrays.copyOf(times, times.length * 2));
                        times[k - 1] = System.nanoTime();
                    }
                    p.send(new ProducerRecord<>(topic, g.key(), g.value()));
                }
            }
            cpuRows = cpu.rows();
            System.out.printf(
                    "  latency: produced %,d events in %.1f s (%,.0f/s)%n",
                    n, (System.nanoTime() - t0) / 1e9, n / ((System.nanoTime() - t0) / 1e9));
            Thread.sleep(3000); // the last early rows
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }

        // per window, deltas in arrival order; the first with count >= k carries the k-th event of the window
        Map<String, List<long[]>> byWindow = new HashMap<>(); // {count, receivedNanos, receivedMs, emittedAt}
        int resyncs = 0;
        for (SseClient c : clients) {
            for (SseClient.Event e : c.drain()) {
                if ("resync".equals(e.event())) resyncs++;
                if (!"delta".equals(e.event())) continue;
                JsonNode m = JSON.readTree(e.data());
                long receivedMs = System.currentTimeMillis() - (System.nanoTime() - e.receivedNanos()) / 1_000_000;
                byWindow.computeIfAbsent(
                                m.get("tenant_id").asText() + "|"
                                        + m.get("event_type").asText() + "|"
                                        + m.get("window_start").asLong(),
                                x -> new ArrayList<>())
                        .add(new long[] {
                            m.get("count").asLong(),
                            e.receivedNanos(),
                            receivedMs,
                            m.get("emitted_at").asLong()
                        });
            }
            c.close();
        }
        List<long[]> rows = new ArrayList<>();
        long missing = 0;
        for (String w : new TreeSet<>(created.keySet())) {
            long[] times = created.get(w);
            List<long[]> msgs = byWindow.getOrDefault(w, List.of());
            int j = 0;
            for (int k = 1; k <= createdN.get(w); k++) {
                while (j < msgs.size() && msgs.get(j)[0] < k) j++;
                if (j == msgs.size()) {
                    missing++;
                    continue;
                }
                if (times[k - 1] < warmupEnd) continue;
                long[] m = msgs.get(j);
                long total = m[1] - times[k - 1];
                long createdMs = m[2] - total / 1_000_000;
                rows.add(new long[] {
                    total, m[3] - createdMs, m[2] - m[3], (times[k - 1] - produceStart) / 60_000_000_000L
                });
            }
        }
        System.out.printf(
                "  latency: %,d events measured after warm-up over %d tenants; %d without a delta; %d resyncs (a client that"
                        + " fell behind gets a fresh snapshot instead of the deltas it missed)%n",
                rows.size(), measured.size(), missing, resyncs);

        long[][] out = new long[3][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < 3; c++) out[c][i] = rows.get(i)[c];
        }
        // per minute of the run (by production time): when the tail happened, e.g. a cold JVM's first minute or a stall
        StringBuilder perMinute =
                new StringBuilder("\n\n| minute | events | event -> SSE p50 | p99 | max |\n|---|---|---|---|---|");
        Map<Long, List<Long>> byMinute = new java.util.TreeMap<>();
        for (long[] r : rows)
            byMinute.computeIfAbsent(r[3], x -> new ArrayList<>()).add(r[0]);
        byMinute.forEach((minute, xs) -> {
            long[] v = xs.stream().mapToLong(Long::longValue).sorted().toArray();
            perMinute.append(String.format(
                    "%n| %d | %,d | %.0f ms | %.0f ms | %.0f ms |",
                    minute, v.length, pct(v, 0.5) / 1e6, pct(v, 0.99) / 1e6, v[v.length - 1] / 1e6));
        });
        return new LatencyRun(
                rate,
                out,
                cpuRows,
                String.format(
                                "%,d events measured over %d tenants' SSE streams; "
                                        + "%d events without a delta of their own, %d resyncs",
                                rows.size(), measured.size(), missing, resyncs)
                        + perMinute);
    }

    /** Thread dump, heap, metaspace and code cache of the TaskManager (jcmd) into {@code work}, for stalls. */
    static void jvmDiagnostics(FlinkCluster flink, Path work, String name) {
        try {
            long pid = flink.taskManagerPid();
            StringBuilder out = new StringBuilder();
            for (String cmd : List.of("GC.heap_info", "VM.metaspace", "Compiler.codecache", "Thread.print")) {
                Process p = new ProcessBuilder("jcmd", Long.toString(pid), cmd)
                        .redirectErrorStream(true)
                        .start();
                out.append("==== ")
                        .append(cmd)
                        .append('\n')
                        .append(new String(p.getInputStream().readAllBytes()));
                p.waitFor();
            }
            Files.writeString(work.resolve("tm-" + name + ".txt"), out);
        } catch (Exception e) {
            System.out.println("  (no TaskManager diagnostics: " + e + ")");
        }
    }

    static void latencyRow(String name, long[] values, double perMs) {
        long[] v = values.clone();
        Arrays.sort(v);
        System.out.printf(
                "| %s | %,d | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n",
                name,
                v.length,
                pct(v, 0.50) / perMs,
                pct(v, 0.90) / perMs,
                pct(v, 0.99) / perMs,
                v.length == 0 ? 0 : v[v.length - 1] / perMs);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private PipelineBenchmark() {}
}
