package io.rollcast.jobs.bench;

import io.rollcast.jobs.JobConfig;
import io.rollcast.jobs.RollupJob;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.operators.EventParser;
import io.rollcast.operators.RouteRejected;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Throughput of parse -> watermarks -> rollups on a local MiniCluster (RocksDB, incremental
 * checkpoints every 10 s), for three spec sets on a dense and a sparse workload. Prints a table.
 *
 * <p>Run with {@code bin/bench rollups [denseEvents] [sparseEvents]}; with
 * {@code BENCH_JAVA_OPTS=-Dbench.compare-confirm=true} it compares watermark.confirm-events 1 and the default instead;
 * with {@code -Dbench.compare-exchange=true}, route-rejected chained to the source vs behind the partition exchange;
 * with {@code -Dbench.stats=true} it measures the cost of {@code windows.quantiles} and {@code windows.distinct}
 * (all three specs; each event gets a payload user id out of 10 000).
 */
public final class RollupBenchmark {

    /** Generated records parsed exactly as the Kafka deserializer does. */
    static final class Parsed implements GeneratorFunction<Long, Ingested> {
        private final EventGenerator gen;
        private final EventParser parser;
        private final boolean payload;

        Parsed(EventGenerator gen) {
            this(gen, "");
        }

        /** With a distinct path: every record gets {@code "payload":{"user_id":"u<0..9999>"}} before it is parsed. */
        Parsed(EventGenerator gen, String distinctPath) {
            this.gen = gen;
            this.parser = new EventParser(65536, 3_600_000L, distinctPath);
            this.payload =
                    !distinctPath.isEmpty() || Boolean.getBoolean("bench.stats"); // same records for every variant
        }

        @Override
        public Ingested map(Long i) {
            var g = gen.get(i);
            byte[] value = g.value();
            if (payload && value.length > 0 && value[value.length - 1] == '}') {
                byte[] tail = (",\"payload\":{\"user_id\":\"u" + Math.floorMod(i * 0x9E3779B97F4A7C15L, 10_000L)
                                + "\"}}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] v = java.util.Arrays.copyOf(value, value.length - 1 + tail.length);
                System.arraycopy(tail, 0, v, value.length - 1, tail.length);
                value = v;
            }
            var r = parser.parse(value, 1_767_225_600_000L);
            // four partitions, so that a partition exchange spreads them over the subtasks
            int partition = (int) (i % 4);
            return r.isValid()
                    ? Ingested.of(r.event().at(partition, i / 4))
                    : Ingested.of(new Rejected(r.reason(), r.detail(), g.key(), g.value(), "bench", partition, i / 4));
        }
    }

    record Result(String workload, String specs, long events, long rows, double seconds) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    static Result run(String workload, GeneratorConfig gc, long n, String specs, Path checkpoints) throws Exception {
        return run(workload, gc, n, specs, checkpoints, JobConfig.defaults().confirmEvents(), 1, false);
    }

    /**
     * @param chained route-rejected chained to the source (as before the exchange that lets bounded
     *     runs keep checkpointing), to measure that exchange's cost
     */
    static Result run(
            String workload,
            GeneratorConfig gc,
            long n,
            String specs,
            Path checkpoints,
            int confirm,
            int parallelism,
            boolean chained)
            throws Exception {
        return run(workload, gc, n, specs, checkpoints, confirm, parallelism, chained, "", "");
    }

    static Result run(
            String workload,
            GeneratorConfig gc,
            long n,
            String specs,
            Path checkpoints,
            int confirm,
            String quantiles,
            String distinct)
            throws Exception {
        return run(workload, gc, n, specs, checkpoints, confirm, 1, false, quantiles, distinct);
    }

    static Result run(
            String workload,
            GeneratorConfig gc,
            long n,
            String specs,
            Path checkpoints,
            int confirm,
            int parallelism,
            boolean chained,
            String quantiles,
            String distinct)
            throws Exception {
        JobConfig cfg = JobConfig.defaults()
                .with("windows.quantiles", quantiles)
                .with("windows.distinct", distinct)
                .with("watermark.confirm-events", Integer.toString(confirm))
                .with("windows.specs", specs)
                .with("checkpoint.interval", "10s")
                .with("job.parallelism", Integer.toString(parallelism));
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("taskmanager.memory.managed.size", "256m");
        conf.setString(
                "state.backend.rocksdb.timer-service.factory",
                System.getProperty("timers", "rocksdb").toUpperCase());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        RollupJob.configure(env, cfg);
        var in = env.fromSource(
                new DataGeneratorSource<>(
                        new Parsed(new EventGenerator(gc), distinct.isEmpty() ? "" : "payload.user_id"),
                        n,
                        TypeInformation.of(Ingested.class)),
                RollupJob.watermarks(cfg),
                "generated");
        RollupJob.Outputs out = chained
                ? RollupJob.windows(
                        in.process(new RouteRejected(cfg.confirmEvents(), cfg.maxOutOfOrderness()))
                                .uid("route-rejected"),
                        cfg)
                : RollupJob.operators(in, cfg);
        out.rows().map(new CountRows<>()).sinkTo(new DiscardingSink<>());
        long t0 = System.nanoTime();
        JobExecutionResult r = env.execute("bench-" + workload);
        double s = (System.nanoTime() - t0) / 1e9;
        Long rows = r.getAccumulatorResult("rows");
        return new Result(workload, specs, n, rows == null ? 0 : rows, s);
    }

    public static void main(String[] args) throws Exception {
        long dense = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000L;
        long sparse = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
        Path cp = Files.createTempDirectory("rollcast-bench-cp");
        long start = 1_767_225_600_000L;
        // dense: 100 tenants x 10 types, 2 000 events/s of event time: every key ~120 events a minute
        GeneratorConfig denseCfg = GeneratorConfig.clean(1, 100, 10, start, 2_000);
        // sparse: 10 000 tenants x 10 types, 500 events/s of event time: a key sees an event every ~3.3 minutes
        GeneratorConfig sparseCfg = GeneratorConfig.clean(2, 10_000, 10, start, 500);
        List<String> specSets =
                List.of("tumbling 1m", "tumbling 1m,sliding 5m/1m", "tumbling 1m,sliding 5m/1m,sliding 60m/1m");
        run("warmup", denseCfg, Math.min(dense, 300_000), specSets.get(0), cp);
        if (Boolean.getBoolean("bench.compare-confirm")) {
            // the cost of the partition clock: classic watermark (1) vs the default run length, alternated, dense
            // tumbling 1m
            for (int round = 0; round < 2; round++) {
                for (int confirm : new int[] {1, JobConfig.defaults().confirmEvents()}) {
                    Result r = run("dense", denseCfg, dense, specSets.get(0), cp, confirm, 1, false);
                    System.out.printf(
                            "confirm-events %2d: %,12.0f events/s (%,d events, %.1f s)%n",
                            confirm, r.eventsPerSecond(), r.events(), r.seconds());
                }
            }
            return;
        }
        if (Boolean.getBoolean("bench.compare-exchange")) {
            // the cost of the partition exchange before route-rejected: chained vs exchange, parallelism 2,
            // alternated, dense and sparse, tumbling only and the three default specs
            for (var w : List.of(new Object[] {"dense", denseCfg, dense}, new Object[] {"sparse", sparseCfg, sparse})) {
                for (String specs : List.of(specSets.get(0), specSets.get(2))) {
                    double[] sum = new double[2];
                    for (int round = 0; round < 2; round++) {
                        for (int v = 0; v < 2; v++) {
                            Result r = run(
                                    (String) w[0],
                                    (GeneratorConfig) w[1],
                                    (Long) w[2],
                                    specs,
                                    cp,
                                    JobConfig.defaults().confirmEvents(),
                                    2,
                                    v == 0);
                            sum[v] += r.eventsPerSecond();
                            System.out.printf(
                                    "%-6s %-42s %-8s %,12.0f events/s%n",
                                    w[0], specs, v == 0 ? "chained" : "exchange", r.eventsPerSecond());
                        }
                    }
                    System.out.printf("%-6s %-42s exchange/chained = %.2f%n", w[0], specs, sum[1] / sum[0]);
                }
            }
            return;
        }
        if (Boolean.getBoolean("bench.stats")) {
            stats(dense, sparse, denseCfg, sparseCfg, specSets.get(2), cp);
            return;
        }
        System.out.println("timers: " + System.getProperty("timers", "rocksdb"));
        StringBuilder table = new StringBuilder();
        table.append(String.format(
                "%-7s %-42s %10s %11s %10s %12s %9s%n",
                "load", "specs", "events", "rows", "seconds", "events/s", "us/row"));
        for (var w : List.of(new Object[] {"dense", denseCfg, dense}, new Object[] {"sparse", sparseCfg, sparse})) {
            double base = 0;
            for (String specs : specSets) {
                Result r = run((String) w[0], (GeneratorConfig) w[1], (Long) w[2], specs, cp);
                if (base == 0) base = r.eventsPerSecond();
                table.append(String.format(
                        "%-7s %-42s %,10d %,11d %10.1f %,12.0f %9.2f   (%.2f x first)%n",
                        r.workload(),
                        r.specs(),
                        r.events(),
                        r.rows(),
                        r.seconds(),
                        r.eventsPerSecond(),
                        r.seconds() * 1e6 / Math.max(1, r.rows()),
                        r.eventsPerSecond() / base));
                System.out.print(table);
                table.setLength(0);
            }
        }
    }

    /**
     * The cost of quantiles and distinct counts: all three specs, without, with quantiles
     * (0.5, 0.9, 0.99), with distinct (payload.user_id), with both; dense and sparse, each run twice
     * in alternation. Every variant parses the same records with the payload added.
     */
    static void stats(
            long dense, long sparse, GeneratorConfig denseCfg, GeneratorConfig sparseCfg, String specs, Path cp)
            throws Exception {
        String[][] variants = {
            {"none", "", ""},
            {"quantiles", "0.5,0.9,0.99", ""},
            {"distinct", "", "payload.user_id"},
            {"both", "0.5,0.9,0.99", "payload.user_id"}
        };
        System.out.printf(
                "%-7s %-10s %5s %10s %11s %9s %12s %10s %10s%n",
                "load", "stats", "round", "events", "rows", "seconds", "events/s", "us/event", "us/row");
        for (var w : List.of(new Object[] {"dense", denseCfg, dense}, new Object[] {"sparse", sparseCfg, sparse})) {
            for (int round = 1; round <= 2; round++) {
                for (String[] v : variants) {
                    Result r = run(
                            (String) w[0],
                            (GeneratorConfig) w[1],
                            (Long) w[2],
                            specs,
                            cp,
                            JobConfig.defaults().confirmEvents(),
                            v[1],
                            v[2].isEmpty() ? "" : v[2]);
                    System.out.printf(
                            "%-7s %-10s %5d %,10d %,11d %9.1f %,12.0f %10.2f %10.2f%n",
                            r.workload(),
                            v[0],
                            round,
                            r.events(),
                            r.rows(),
                            r.seconds(),
                            r.eventsPerSecond(),
                            r.seconds() * 1e6 / r.events(),
                            r.seconds() * 1e6 / Math.max(1, r.rows()));
                }
            }
        }
    }
}
