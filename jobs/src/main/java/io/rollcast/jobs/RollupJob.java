package io.rollcast.jobs;

import io.rollcast.config.ConfigException;
import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.model.WindowDelta;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.DeltaEmitter;
import io.rollcast.operators.DeltaEmitterOperator;
import io.rollcast.operators.EventWatermarks;
import io.rollcast.operators.RouteRejected;
import io.rollcast.operators.WindowRollups;
import io.rollcast.operators.WindowRollupsOperator;
import io.rollcast.sinks.redis.RedisDeltaSink;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Per-tenant rollups over the configured tumbling and sliding event-time windows, with their changelog. */
@Command(name = "rollcast-rollups", mixinStandardHelpOptions = true,
        description = "Runs the Rollcast rollup job: Kafka events -> window rollups -> changelog sinks.")
public final class RollupJob implements Callable<Integer> {
    public static final String JOB_NAME = "rollcast-rollups";

    @Option(names = "--config", description = "YAML config file.")
    Path config;

    @Option(names = "--set", description = "Override one config key, e.g. --set windows.early-interval=100ms (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--backfill", description = "Backfill: read from the earliest offsets up to those that exist at start, with"
            + " watermark alignment, print progress, and finish (see JobConfig.forBackfill).")
    boolean backfill;

    @Option(names = "--print-config-table", description = "Print the config reference as a Markdown table and exit.")
    boolean printTable;

    /** What the topology produces; sinks attach to these. */
    public record Outputs(DataStream<WindowRow> rows, DataStream<Event> tooLate, DataStream<Rejected> rejected) {}

    /**
     * Runs the job. Exceptions propagate (no System.exit): main() may run inside the JobManager
     * (REST submission, application mode), and Flink's client relies on its own control-flow exceptions.
     */
    public static void main(String[] args) throws Exception {
        RollupJob job = new RollupJob();
        CommandLine cl = new CommandLine(job);
        cl.parseArgs(args);
        if (cl.isUsageHelpRequested() || cl.isVersionHelpRequested()) {
            cl.usage(System.out);
            return;
        }
        job.call();
    }

    @Override
    public Integer call() throws Exception {
        if (printTable) {
            System.out.print(JobConfig.markdownTable());
            return 0;
        }
        JobConfig cfg = JobConfig.load(config, System.getenv(), overrides); // ConfigException names the bad key
        if (backfill) cfg = cfg.forBackfill();
        StreamExecutionEnvironment env = environment(cfg);
        DataStream<Ingested> in = env
                .fromSource(KafkaIo.source(cfg), watermarks(cfg), "kafka-events")
                .uid("kafka-events");
        Outputs out = build(in, cfg);
        attachSinks(out, cfg);
        StoreSinks.migrateOnStart(cfg); // the store schemas exist before the sinks write
        if (!backfill) {
            env.execute(JOB_NAME);
            return 0;
        }
        try (var progress = new io.rollcast.jobs.tools.BackfillProgress(cfg.kafkaBootstrap(), cfg.kafkaTopic(), cfg.kafkaGroupId(), System.out, 5_000)) {
            Thread t = new Thread(progress, "backfill-progress");
            t.setDaemon(true);
            t.start();
            long t0 = System.currentTimeMillis();
            env.execute(JOB_NAME + "-backfill");
            System.out.printf("backfill: finished %,d records in %.1f s%n", progress.total(), (System.currentTimeMillis() - t0) / 1000.0);
        }
        return 0;
    }

    /** The execution environment with the job's state backend, checkpointing and parallelism. */
    public static StreamExecutionEnvironment environment(JobConfig cfg) {
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", cfg.stateBackend());
        conf.setString("execution.checkpointing.incremental", Boolean.toString(cfg.incrementalCheckpoints()));
        conf.setString("state.backend.rocksdb.timer-service.factory", cfg.timerService().toUpperCase(java.util.Locale.ROOT));
        if (!cfg.checkpointDir().isEmpty()) conf.setString("execution.checkpointing.dir", cfg.checkpointDir());
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        configure(env, cfg);
        return env;
    }

    /** Settings every run of the job shares, on an environment built elsewhere (tests, benchmarks). */
    public static void configure(StreamExecutionEnvironment env, JobConfig cfg) {
        env.setMaxParallelism(cfg.maxParallelism());
        if (cfg.parallelism() > 0) env.setParallelism(cfg.parallelism());
        env.setBufferTimeout(cfg.bufferTimeout().toMillis());
        env.enableCheckpointing(cfg.checkpointInterval().toMillis());
        env.getConfig().setAutoWatermarkInterval(cfg.watermarkInterval().toMillis());
        // operators keep no references to their inputs, so chained operators may share objects
        env.getConfig().enableObjectReuse();
        env.getConfig().setGlobalJobParameters(org.apache.flink.util.ParameterTool.fromMap(cfg.asMap()));
    }

    public static WatermarkStrategy<Ingested> watermarks(JobConfig cfg) {
        return EventWatermarks.forIngested(cfg.confirmEvents(), cfg.maxOutOfOrderness(), cfg.idleness(),
                cfg.alignmentMaxDrift(), cfg.alignmentUpdateInterval());
    }

    /** Pure wiring; no I/O. Called by {@link #call()} and by the tests with timestamped input. */
    public static Outputs build(DataStream<Ingested> in, JobConfig cfg) {
        SingleOutputStreamOperator<Event> events = in
                .process(new RouteRejected(cfg.confirmEvents(), cfg.maxOutOfOrderness()))
                .uid("route-rejected").name("route-rejected");
        WindowRollups rollups = new WindowRollups(cfg.windowSpecs(), cfg.allowedLateness(), cfg.earlyInterval(),
                cfg.dedupHorizon(), cfg.cacheMaxEntries());
        var keyed = events.keyBy(Event::rollupKey);
        SingleOutputStreamOperator<WindowRow> rows = (cfg.writeBackMaxEntries() > 0
                ? keyed.transform("window-rollups", WindowRollupsOperator.ROWS, new WindowRollupsOperator(rollups, cfg.writeBackMaxEntries()))
                : keyed.process(rollups))
                .uid("window-rollups").name("window-rollups");
        return new Outputs(rows, rows.getSideOutput(WindowRollups.TOO_LATE), events.getSideOutput(RouteRejected.REJECTED));
    }

    /** The Kafka sinks of the changelog, the late events and the dead letters. Store and Redis sinks attach here too. */
    public static void attachSinks(Outputs out, JobConfig cfg) {
        out.rejected().sinkTo(KafkaIo.dlqSink(cfg)).uid("sink-dlq").name("sink-dlq");
        out.tooLate().sinkTo(KafkaIo.lateSink(cfg)).uid("sink-late").name("sink-late");
        if (!cfg.rowsTopic().isEmpty()) {
            out.rows().sinkTo(KafkaIo.rowsSink(cfg)).uid("sink-rows-kafka").name("sink-rows-kafka");
        }
        StoreSinks.attach(out.rows(), cfg); // store.type: sink-postgres and/or sink-clickhouse
        if (cfg.redisEnabled()) attachRedis(out, cfg);
    }

    /**
     * Deltas of the changelog: each row's change since the last row of its window. The rollups'
     * output is already partitioned by their key (tenant|type), so it is reinterpreted as keyed
     * instead of shuffled, and the delta emitter chains to the rollups.
     */
    public static SingleOutputStreamOperator<WindowDelta> deltas(DataStream<WindowRow> rows, JobConfig cfg) {
        DeltaEmitter emitter = new DeltaEmitter(cfg.windowSpecs(), cfg.allowedLateness());
        var keyed = DataStreamUtils.reinterpretAsKeyedStream(rows, DeltaEmitter::rollupKey, Types.STRING);
        return (cfg.writeBackMaxEntries() > 0
                ? keyed.transform("delta-emitter", DeltaEmitterOperator.DELTAS, new DeltaEmitterOperator(emitter, cfg.writeBackMaxEntries()))
                : keyed.process(emitter))
                .uid("delta-emitter").name("delta-emitter");
    }

    /** The deltas to Redis: per-hour channels and recovery streams (redis.*, docs/deltas.md). */
    public static void attachRedis(Outputs out, JobConfig cfg) {
        deltas(out.rows(), cfg).sinkTo(new RedisDeltaSink(cfg.redisSettings())).uid("sink-redis").name("sink-redis");
    }
}
