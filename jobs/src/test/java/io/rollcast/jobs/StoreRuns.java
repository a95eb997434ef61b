package io.rollcast.jobs;

import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.Ingested;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.EventParser;
import io.rollcast.sinks.StoreRows;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Shared setup of the store ITs: the real topology on generated events, with the configured store sinks. */
final class StoreRuns {
    static final long START = 1_767_225_600_000L;

    private StoreRuns() {}

    /** The mixed stream (disorder, late events, bad records, duplicates) without events beyond the lateness. */
    static EventGenerator generator(long seed) {
        return new EventGenerator(
                new GeneratorConfig(seed, 100, 5, START, 50, 0.20, 4_000, 0.02, 35_000, 180_000, 0, 0, 0, 0.01, 0.01));
    }

    /** A job config writing to the given stores, with early rows every 100 ms and fast checkpoints. */
    static JobConfig config(
            String storeType, String pgUrl, String chUrl, String chDatabase, String checkpointInterval) {
        return JobConfig.defaults()
                .with("windows.dedup-horizon", "10m")
                .with("windows.early-interval", "100ms")
                .with("checkpoint.interval", checkpointInterval)
                .with("job.parallelism", "2")
                .with("store.type", storeType)
                .with("store.postgres.url", pgUrl)
                .with("store.postgres.batch-interval", "100ms")
                .with("store.postgres.max-retries", "2")
                .with("store.clickhouse.url", chUrl)
                .with("store.clickhouse.database", chDatabase)
                .with("store.clickhouse.batch-interval", "200ms")
                .with("store.clickhouse.max-retries", "5");
    }

    /**
     * The job's environment plus a fixed-delay restart strategy (a cluster setting in production),
     * generated events at {@code perSecond} through {@code extra}, the real topology, and the store sinks.
     */
    static StreamExecutionEnvironment job(
            JobConfig cfg,
            EventGenerator gen,
            long n,
            double perSecond,
            int restartAttempts,
            String restartDelay,
            RichMapFunction<Ingested, Ingested> extra) {
        StreamExecutionEnvironment env = LocalEnvironments.of(cfg);
        Configuration restart = new Configuration();
        restart.setString("restart-strategy.type", "fixed-delay");
        restart.setString("restart-strategy.fixed-delay.attempts", Integer.toString(restartAttempts));
        restart.setString("restart-strategy.fixed-delay.delay", restartDelay);
        env.configure(restart);
        DataStream<Ingested> in = env.fromSource(
                        new DataGeneratorSource<>(
                                new RollupJobOracleIT.Parsed(
                                        gen,
                                        new EventParser(
                                                cfg.maxRecordBytes(),
                                                cfg.maxFuture().toMillis())),
                                n,
                                RateLimiterStrategy.perSecond(perSecond),
                                TypeInformation.of(Ingested.class)),
                        RollupJob.watermarks(cfg),
                        "generated")
                .setParallelism(1); // one ordered split, like one Kafka partition
        if (extra != null) in = in.map(extra).setParallelism(1).name("induced-failure");
        RollupJob.Outputs out = RollupJob.operators(in, cfg);
        StoreSinks.attach(out.storeRows(), cfg);
        return env;
    }

    /** The oracle's final values as {count, sum, min, max}, keyed like {@link StoreRows#key}. */
    static Map<String, double[]> expected(EventGenerator gen, long n, JobConfig cfg) {
        Map<String, double[]> out = new TreeMap<>();
        Oracle.expected(gen, n, cfg.windowSpecs(), Set.of())
                .forEach((k, v) -> out.put(k, new double[] {v.count(), v.sum(), v.min(), v.max()}));
        return out;
    }

    /** Differences between a table and the oracle, plus any window still holding an early row. */
    static List<String> diff(
            Map<String, double[]> expected, Map<String, WindowRow> table, BiPredicate<Double, Double> same) {
        List<String> d = new java.util.ArrayList<>(StoreRows.diffValues(expected, table, same, 20));
        table.values().stream().filter(r -> r.kind() == Kind.EARLY).limit(5).forEach(r -> d.add("still early: " + r));
        return d;
    }

    /** Throws once, after {@code after} records and after a checkpoint completed, so the job restores from it. */
    static final class FailOnceAfter extends RichMapFunction<Ingested, Ingested> implements CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicLong CHECKPOINTS_BEFORE_FAILURE = new AtomicLong();
        private final long after;
        private transient long seen;
        private transient boolean checkpointed;

        FailOnceAfter(long after) {
            this.after = after;
        }

        @Override
        public Ingested map(Ingested value) {
            if (++seen >= after && checkpointed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("induced failure after " + seen + " records");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
            if (!FAILED.get()) CHECKPOINTS_BEFORE_FAILURE.set(checkpointId);
        }
    }
}
