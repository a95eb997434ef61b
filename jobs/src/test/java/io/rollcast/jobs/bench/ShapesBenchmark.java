package io.rollcast.jobs.bench;

import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.KafkaIo;
import io.rollcast.jobs.RollupJob;
import io.rollcast.jobs.StoreSinks;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.sinks.PostgresRollupSink;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Rollcast side by side with Flink SQL on the same Kafka topic, per key shape, in one run (issue
 * 19): (a) a plain KafkaConsumer reading bytes; (b) Flink SQL window TVFs — {@code TUMBLE 1m}, then
 * {@code TUMBLE 1m + HOP 5m/1m + HOP 60m/1m} — count/sum/min/max per tenant and event type, the
 * Kafka SQL connector with the JSON format, the three queries in one job (UNION ALL, so the planner
 * reads the topic once) into a counting discard sink; (c) Rollcast with the same specs, no sinks, no
 * early rows; (d) the whole Rollcast pipeline (three specs, early rows every 1 s, Postgres,
 * ClickHouse, Redis live and the changelog topic).
 *
 * <p>Every job runs on a local MiniCluster with the same settings: parallelism 2, RocksDB with
 * incremental checkpoints every 10 s, bounded from the earliest offset of a 4-partition topic, a 5 s
 * out-of-orderness bound. Rates are events over the job's wall time, start-up included (as a user
 * measures a backfill). Rollcast keeps its defaults otherwise (5 min allowed lateness, a 10 min
 * event-id dedup horizon); Flink SQL has neither.
 *
 * <p>Shapes: {@code dense} 100 tenants × 10 types, ~120 events per key-minute; {@code sparse}
 * 1 000 × 10, ~1.1 events per key-minute (the shape of the issue); {@code very-sparse} 10 000 × 10,
 * ~0.3 events per key-minute. Run with {@code bin/bench shapes [dense] [sparse] [verySparse]}
 * (event counts; defaults 1 000 000, 300 000, 200 000); {@code -Dbench.full=false} skips (d),
 * {@code -Dbench.sql-three=false} skips Flink SQL with the three specs (the slowest case on sparse keys),
 * {@code -Dbench.set=key=value;...} overrides job config keys of the Rollcast cases,
 * {@code -Dbench.shapes=dense,sparse} picks shapes, {@code -Dbench.full-sets=k=v;k=v|k=v} runs the
 * full pipeline again once per set of overrides (side by side in the same run), {@code
 * -Dbench.three-sets=...} likewise the three specs without sinks, {@code
 * -Dbench.conf=key=value;...} sets cluster options of the MiniCluster for every case.
 *
 * <p>{@code -Dbench.sinks=true} adds the cost of each sink alone (issue 19 item 3), between the
 * no-sink and the full case: early rows every 1 s with no sink, then that plus one of Postgres,
 * ClickHouse, Redis live, the changelog topic. {@code -Dbench.profile=<case name part>} samples this
 * JVM (the MiniCluster runs in it) with async-profiler during the first case whose name contains it,
 * and prints where the CPU went (needs {@code -Djdk.attach.allowAttachSelf=true}).
 */
public final class ShapesBenchmark {
    static final long START = 1_767_225_600_000L; // 2026-01-01T00:00Z
    static final String TUMBLING = "tumbling 1m";
    static final String THREE = "tumbling 1m,sliding 5m/1m,sliding 60m/1m";

    /** What a Rollcast case adds to the windows: early rows and sinks. */
    enum Part {
        EARLY,
        POSTGRES,
        /** The former Postgres sink (Flink's JDBC sink, one upsert per row in a JDBC batch), the baseline of COPY. */
        POSTGRES_JDBC,
        CLICKHOUSE,
        REDIS,
        TOPIC
    }

    static final Set<Part> NONE = EnumSet.noneOf(Part.class);
    static final Set<Part> ALL = EnumSet.complementOf(EnumSet.of(Part.POSTGRES_JDBC)); // the pipeline as shipped

    record Servers(PostgresServer pg, ClickHouseServer ch, RedisServer redis) {}

    record Shape(String name, int tenants, int types, double eventTimeRate, long events) {
        double eventsPerKeyMinute() {
            return eventTimeRate * 60 / (tenants * (double) types);
        }
    }

    record Result(String name, double seconds, long rows, long events) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double rowsPerSecond() {
            return rows / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        long dense = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        long sparse = args.length > 1 ? Long.parseLong(args[1]) : 300_000L;
        long verySparse = args.length > 2 ? Long.parseLong(args[2]) : 200_000L;
        boolean full = Boolean.parseBoolean(System.getProperty("bench.full", "true"));
        boolean eachSink = Boolean.parseBoolean(System.getProperty("bench.sinks", "false"));
        // the slowest case on sparse shapes (minutes per million events): -Dbench.sql-three=false skips it
        boolean skipSql3 = !Boolean.parseBoolean(System.getProperty("bench.sql-three", "true"));
        List<String> pick = List.of(
                System.getProperty("bench.shapes", "dense,sparse,very-sparse").split(","));
        List<Shape> shapes = new ArrayList<>();
        // event time advances 1000 / rate ms per record, keys uniformly at random
        if (pick.contains("dense")) shapes.add(new Shape("dense", 100, 10, 2_000, dense));
        if (pick.contains("sparse")) shapes.add(new Shape("sparse", 1_000, 10, 183, sparse));
        if (pick.contains("very-sparse")) shapes.add(new Shape("very-sparse", 10_000, 10, 500, verySparse));

        KafkaServer kafka = RealServers.startForMain(KafkaServer.class);
        boolean stores = full || eachSink;
        Servers srv = new Servers(
                stores ? RealServers.startForMain(PostgresServer.class) : null,
                stores ? RealServers.startForMain(ClickHouseServer.class) : null,
                stores ? RealServers.startForMain(RedisServer.class) : null);
        Path cp = Files.createTempDirectory("rollcast-shapes-cp");

        // warm-up: JIT, RocksDB and the planner, on a small dense topic (not reported)
        Shape warm = new Shape("warm-up", 100, 10, 2_000, 100_000);
        String warmTopic = produce(kafka, warm, 9);
        sql(kafka, warmTopic, warm.events(), TUMBLING, cp);
        rollcast(kafka, warmTopic, warm.events(), TUMBLING, cp, srv, NONE);

        StringBuilder table = new StringBuilder();
        List<String> ratios = new ArrayList<>();
        for (Shape s : shapes) {
            String topic = produce(kafka, s, 7);
            Map<String, Result> r = new LinkedHashMap<>();
            r.put("raw KafkaConsumer, bytes", timedRaw(kafka, topic, s.events()));
            r.put("Flink SQL TUMBLE 1m", sql(kafka, topic, s.events(), TUMBLING, cp));
            r.put("Rollcast tumbling 1m, no sinks", rollcast(kafka, topic, s.events(), TUMBLING, cp, srv, NONE));
            if (!skipSql3)
                r.put("Flink SQL TUMBLE 1m + HOP 5m/1m + HOP 60m/1m", sql(kafka, topic, s.events(), THREE, cp));
            r.put("Rollcast three specs, no sinks", rollcast(kafka, topic, s.events(), THREE, cp, srv, NONE));
            // -Dbench.three-sets='a=1|b=2': the no-sink three-spec case again with each set of overrides
            for (String set : sets("bench.three-sets"))
                r.put("three specs, no sinks, " + set, rollcast(kafka, topic, s.events(), THREE, cp, srv, NONE, set));
            if (eachSink) {
                r.put("  + early rows 1 s", rollcast(kafka, topic, s.events(), THREE, cp, srv, EnumSet.of(Part.EARLY)));
                for (Part p : List.of(Part.POSTGRES, Part.POSTGRES_JDBC, Part.CLICKHOUSE, Part.REDIS, Part.TOPIC)) {
                    r.put(
                            "  + early rows 1 s + " + p.name().toLowerCase(Locale.ROOT) + " only",
                            rollcast(kafka, topic, s.events(), THREE, cp, srv, EnumSet.of(Part.EARLY, p)));
                }
            }
            if (full)
                r.put("Rollcast three specs, full pipeline", rollcast(kafka, topic, s.events(), THREE, cp, srv, ALL));
            // -Dbench.full-sets='a=1;b=2|c=3': the full pipeline again with each set of overrides
            for (String set : sets("bench.full-sets"))
                r.put("full pipeline, " + set, rollcast(kafka, topic, s.events(), THREE, cp, srv, ALL, set));
            table.append(String.format(
                    "%n%s: %d tenants x %d types, %,d events, %.1f events per key-minute, %.0f min of event time%n",
                    s.name(),
                    s.tenants(),
                    s.types(),
                    s.events(),
                    s.eventsPerKeyMinute(),
                    s.events() / s.eventTimeRate() / 60));
            table.append(String.format("%-64s %12s %12s %9s%n", "case", "events/s", "rows/s", "seconds"));
            r.forEach((name, x) -> table.append(String.format(
                    "%-64s %,12.0f %12s %9.1f%n",
                    name,
                    x.eventsPerSecond(),
                    x.rows() < 0 ? "-" : String.format("%,.0f", x.rowsPerSecond()),
                    x.seconds())));
            double sqlT = r.get("Flink SQL TUMBLE 1m").eventsPerSecond();
            Result sql3r = r.get("Flink SQL TUMBLE 1m + HOP 5m/1m + HOP 60m/1m");
            double sql3 = sql3r == null ? Double.NaN : sql3r.eventsPerSecond();
            double rcT = r.get("Rollcast tumbling 1m, no sinks").eventsPerSecond();
            double rc3 = r.get("Rollcast three specs, no sinks").eventsPerSecond();
            double raw = r.get("raw KafkaConsumer, bytes").eventsPerSecond();
            StringBuilder q = new StringBuilder(String.format(
                    "%s: Rollcast/SQL tumbling %.2f; Rollcast/SQL three specs %.2f; Rollcast three/tumbling %.2f"
                            + " (SQL %.2f); Rollcast tumbling/raw %.3f",
                    s.name(), rcT / sqlT, rc3 / sql3, rc3 / rcT, sql3 / sqlT, rcT / raw));
            if (eachSink) {
                double early = r.get("  + early rows 1 s").eventsPerSecond();
                q.append(String.format("; early/no sinks %.2f", early / rc3));
                r.forEach((name, x) -> {
                    if (name.endsWith(" only"))
                        q.append(String.format(
                                "; %s/early %.2f",
                                name.substring(name.lastIndexOf("+ ") + 2), x.eventsPerSecond() / early));
                });
            }
            if (full) {
                double fp = r.get("Rollcast three specs, full pipeline").eventsPerSecond();
                q.append(String.format("; full pipeline/no sinks %.2f; full/raw %.3f", fp / rc3, fp / raw));
            }
            ratios.add(q.toString());
            System.out.print(table); // as it goes: a long run shows what it has
            table.setLength(0);
            System.out.println(ratios.get(ratios.size() - 1));
        }
        System.out.println();
        System.out.println("ratios (same run):");
        ratios.forEach(System.out::println);
        System.exit(0); // the testkit's shutdown hook stops the servers
    }

    /** The non-blank override sets of a {@code set|set|...} system property. */
    static List<String> sets(String property) {
        return java.util.Arrays.stream(System.getProperty(property, "").split("\\|"))
                .filter(x -> !x.isBlank())
                .toList();
    }

    /** Writes the shape's events to a fresh 4-partition topic, keyed by tenant (as producers do). */
    static String produce(KafkaServer kafka, Shape s, long seed) {
        String topic = kafka.freshTopic("shapes-" + s.name(), 4);
        EventGenerator gen =
                new EventGenerator(GeneratorConfig.clean(seed, s.tenants(), s.types(), START, s.eventTimeRate()));
        Properties pp = kafka.producerProperties();
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        long t0 = System.nanoTime();
        try (var p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < s.events(); i++) {
                var g = gen.get(i);
                p.send(new ProducerRecord<>(topic, g.key(), g.value()));
            }
        }
        System.out.printf(
                "%s: produced %,d events to %s in %.1f s%n",
                s.name(), s.events(), topic, (System.nanoTime() - t0) / 1e9);
        return topic;
    }

    static Result timedRaw(KafkaServer kafka, String topic, long n) {
        double rate = PipelineBenchmark.rawConsumer(kafka, topic, n);
        return new Result("raw", n / rate, -1, n);
    }

    /** The environment every case runs in: the same MiniCluster settings for Flink SQL and Rollcast. */
    static StreamExecutionEnvironment environment(Path checkpoints) {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("execution.checkpointing.interval", "10s");
        conf.setString("taskmanager.memory.managed.size", "256m");
        conf.setString("state.backend.rocksdb.timer-service.factory", "ROCKSDB");
        conf.setString("pipeline.auto-watermark-interval", "200ms");
        // -Dbench.conf=key=value;...: cluster settings of every case (e.g. RocksDB options)
        for (String kv : System.getProperty("bench.conf", "").split(";")) {
            if (!kv.isBlank())
                conf.setString(
                        kv.substring(0, kv.indexOf('=')).trim(),
                        kv.substring(kv.indexOf('=') + 1).trim());
        }
        return StreamExecutionEnvironment.createLocalEnvironment(2, conf);
    }

    /**
     * Flink SQL, as a user would write it: the Kafka SQL connector with the JSON format, the event
     * time from {@code timestamp} (epoch ms), a 5 s bounded out-of-orderness watermark, window TVFs.
     */
    static Result sql(KafkaServer kafka, String topic, long n, String specs, Path cp) throws Exception {
        StreamExecutionEnvironment env = environment(cp);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.executeSql("CREATE TABLE events (\n"
                + "  event_id STRING, tenant_id STRING, event_type STRING, `timestamp` BIGINT, `value` DOUBLE,\n"
                + "  ts AS TO_TIMESTAMP_LTZ(`timestamp`, 3),\n"
                + "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
                + ") WITH (\n"
                + "  'connector' = 'kafka', 'topic' = '" + topic + "',\n"
                + "  'properties.bootstrap.servers' = '" + kafka.bootstrapServers() + "',\n"
                + "  'properties.group.id' = 'shapes-sql-" + System.nanoTime() + "',\n"
                + "  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',\n"
                + "  'format' = 'json', 'json.ignore-parse-errors' = 'true')");
        List<String> parts = new ArrayList<>();
        parts.add(query("tumbling-1m", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)"));
        if (specs.equals(THREE)) {
            parts.add(query(
                    "sliding-5m-1m", "HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)"));
            parts.add(query(
                    "sliding-1h-1m", "HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '60' MINUTE)"));
        }
        t.toDataStream(t.sqlQuery(String.join("\nUNION ALL\n", parts)))
                .map(new CountRows<Row>())
                .sinkTo(new DiscardingSink<>());
        return execute(env, "sql " + specs, n);
    }

    private static String query(String spec, String window) {
        return "SELECT '" + spec + "' AS spec, tenant_id, event_type, window_start, window_end,"
                + " COUNT(*) AS cnt, SUM(`value`) AS total, MIN(`value`) AS lo, MAX(`value`) AS hi"
                + " FROM TABLE(" + window + ") GROUP BY tenant_id, event_type, window_start, window_end";
    }

    /** Rollcast on the same topic: no sinks and no early rows, or (stores given) the whole pipeline. */
    static Result rollcast(KafkaServer kafka, String topic, long n, String specs, Path cp, Servers srv, Set<Part> parts)
            throws Exception {
        return rollcast(kafka, topic, n, specs, cp, srv, parts, "");
    }

    /** As above, with {@code extra} job config overrides ({@code key=value;...}) after {@code -Dbench.set}'s. */
    static Result rollcast(
            KafkaServer kafka, String topic, long n, String specs, Path cp, Servers srv, Set<Part> parts, String extra)
            throws Exception {
        JobConfig cfg = JobConfig.defaults()
                .with("kafka.bootstrap-servers", kafka.bootstrapServers())
                .with("kafka.topic", topic)
                .with("kafka.group-id", "shapes-" + System.nanoTime())
                .with("kafka.starting-offsets", "earliest")
                .with("kafka.bounded", "true")
                .with("kafka.dlq-topic", kafka.freshTopic("shapes-dlq", 1))
                .with("kafka.late-topic", kafka.freshTopic("shapes-late", 1))
                .with("windows.specs", specs)
                .with("windows.early-interval", parts.contains(Part.EARLY) ? "1s" : "0s")
                .with("checkpoint.interval", "10s")
                .with("job.parallelism", "2");
        // -Dbench.set=key=value;key=value: job config overrides for the Rollcast cases (e.g. cache sizes)
        for (String kv : (System.getProperty("bench.set", "") + ";" + extra).split(";")) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            cfg = cfg.with(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        boolean jdbc = parts.contains(Part.POSTGRES_JDBC);
        boolean pg = parts.contains(Part.POSTGRES) || jdbc, ch = parts.contains(Part.CLICKHOUSE);
        cfg = cfg.with("kafka.rows-topic", parts.contains(Part.TOPIC) ? kafka.freshTopic("shapes-rows", 2) : "");
        if (pg) cfg = cfg.with("store.postgres.url", srv.pg().freshDatabase("shapes"));
        if (ch)
            cfg = cfg.with("store.clickhouse.url", srv.ch().httpUrl())
                    .with("store.clickhouse.database", srv.ch().freshDatabase("shapes"));
        if (pg || ch) cfg = cfg.with("store.type", pg && ch ? "both" : pg ? "postgres" : "clickhouse");
        if (parts.contains(Part.REDIS))
            cfg = cfg.with("redis.enabled", "true")
                    .with("redis.uri", srv.redis().uri().toString());
        if (pg || ch) StoreSinks.migrate(cfg, pg, ch);
        boolean sinks = parts.size() > (parts.contains(Part.EARLY) ? 1 : 0);
        StreamExecutionEnvironment env = environment(cp);
        RollupJob.configure(env, cfg);
        RollupJob.Outputs out = RollupJob.operators(
                env.fromSource(KafkaIo.source(cfg), RollupJob.watermarks(cfg), "kafka-events")
                        .uid("kafka-events"),
                cfg);
        out.rows().map(new CountRows<>()).sinkTo(new DiscardingSink<>());
        if (jdbc) {
            out.storeRows()
                    .sinkTo(PostgresRollupSink.jdbcBatch(StoreSinks.postgres(cfg)))
                    .name("sink-postgres-jdbc");
        } else if (sinks) {
            RollupJob.sinks(out, cfg);
        }
        return execute(env, "rollcast " + parts + " " + specs + (extra.isEmpty() ? "" : " " + extra), n);
    }

    private static String profiled; // the case profiled so far (one per run)

    static Result execute(StreamExecutionEnvironment env, String name, long n) throws Exception {
        String want = System.getProperty("bench.profile", "");
        Profiler profiler = null;
        if (!want.isEmpty() && profiled == null && name.contains(want)) {
            profiled = name;
            profiler = new Profiler(ProcessHandle.current().pid(), Path.of(System.getProperty("java.io.tmpdir")));
            profiler.start();
        }
        long t0 = System.nanoTime();
        JobExecutionResult r = env.execute("shapes " + name);
        double s = (System.nanoTime() - t0) / 1e9;
        if (profiler != null) {
            Path collapsed = Files.createTempFile("shapes-profile", ".collapsed");
            double secs = profiler.stop(collapsed);
            Profiler.summarize(collapsed, secs).print(name + " (the benchmark's own JVM)", 25);
            System.out.println("collapsed stacks: " + collapsed);
        }
        Long rows = r.getAccumulatorResult("rows");
        return new Result(name, s, rows == null ? 0 : rows, n);
    }
}
