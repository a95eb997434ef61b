package io.rollcast.jobs;

import io.rollcast.model.Event;
import io.rollcast.model.Ingested;
import io.rollcast.model.Rejected;
import io.rollcast.model.WindowDelta;
import io.rollcast.model.WindowRow;
import io.rollcast.operators.ColdBatch;
import io.rollcast.operators.DeltaEmitter;
import io.rollcast.operators.DeltaEmitterOperator;
import io.rollcast.operators.EventWatermarks;
import io.rollcast.operators.RouteRejected;
import io.rollcast.operators.StoreEarlyRows;
import io.rollcast.operators.WindowRollups;
import io.rollcast.operators.WindowRollupsOperator;
import io.rollcast.sinks.ColdParquetSink;
import io.rollcast.sinks.redis.RedisDeltaSink;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Per-tenant rollups over the configured tumbling and sliding event-time windows, with their changelog. */
@Command(
        name = "rollcast-rollups",
        mixinStandardHelpOptions = true,
        description = "Runs the Rollcast rollup job: Kafka events -> window rollups -> changelog sinks.")
public final class RollupJob implements Callable<Integer> {
    public static final String JOB_NAME = "rollcast-rollups";

    @Mixin
    JobConfigOptions options = new JobConfigOptions();

    @Option(
            names = "--backfill",
            description = "Backfill: read from the earliest offsets up to those that exist at start, with"
                    + " watermark alignment, print progress, and finish (see JobConfig.forBackfill).")
    boolean backfill;

    @Option(names = "--print-config-table", description = "Print the config reference as a Markdown table and exit.")
    boolean printTable;

    /**
     * The streams of the topology. {@code storeRows} is what the stores get (early rows thinned by
     * {@code store-early-rows}), null without a store; {@code deltas} is null without Redis.
     */
    public record Outputs(
            DataStream<WindowRow> rows,
            DataStream<Event> tooLate,
            DataStream<Rejected> rejected,
            DataStream<WindowRow> storeRows,
            DataStream<WindowDelta> deltas) {}

    /**
     * Runs the job: parse the config, create the environment, build the topology, execute. Exceptions
     * propagate (no System.exit): main() may run inside the JobManager (REST submission, application
     * mode), and Flink's client relies on its own control-flow exceptions.
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
        JobConfig cfg = options.load(); // ConfigException names the bad key
        if (backfill) cfg = cfg.forBackfill();
        StreamExecutionEnvironment env = environment(cfg);
        build(env, cfg);
        env.execute(backfill ? JOB_NAME + "-backfill" : JOB_NAME);
        return 0;
    }

    /**
     * The execution environment with the job's own settings ({@link #configure}). Cluster settings
     * (state backend, incremental checkpoints, checkpoint and savepoint directories, retention) are
     * not the job's: they live in the cluster's config (bin/lib/flink.sh, the compose stack's
     * FLINK_PROPERTIES, the chart's FlinkDeployment), so one job jar runs the same everywhere.
     */
    public static StreamExecutionEnvironment environment(JobConfig cfg) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
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
        return EventWatermarks.forIngested(
                cfg.confirmEvents(),
                cfg.maxOutOfOrderness(),
                cfg.idleness(),
                cfg.alignmentMaxDrift(),
                cfg.alignmentUpdateInterval());
    }

    /**
     * The whole topology on {@code env}: the Kafka source, every operator ({@link #operators}) and
     * every sink ({@link #sinks}). This is the job; {@link #main} only adds config and execution.
     */
    public static Outputs build(StreamExecutionEnvironment env, JobConfig cfg) {
        StoreSinks.check(cfg);
        DataStream<Ingested> in = env.fromSource(KafkaIo.source(cfg), watermarks(cfg), "kafka-events")
                .uid("kafka-events");
        Outputs out = operators(in, cfg);
        sinks(out, cfg);
        return out;
    }

    /**
     * Every operator after the source, no I/O; tests feed their own timestamped input. One path per
     * operator: the write-back cache ({@code state.write-back-max-entries}) of size 0 is write-through.
     */
    public static Outputs operators(DataStream<Ingested> in, JobConfig cfg) {
        return windows(routeRejected(in, cfg), cfg);
    }

    /**
     * {@code route-rejected}: dead letters out, partition watermarks stamped on the events. With more
     * than one source subtask, an all-to-all exchange sends each Kafka partition to one of its subtasks
     * (in offset order): its subtasks then finish together, after every source subtask, as Flink
     * requires of an operator with union list state ({@code partition-clocks}) to keep checkpointing a
     * bounded run after a source subtask has finished (FLIP-147). A job of parallelism 1 cannot
     * finish partly, so there it stays chained. See docs/windows.md "Partition clocks and bounded runs".
     */
    static SingleOutputStreamOperator<Event> routeRejected(DataStream<Ingested> in, JobConfig cfg) {
        boolean single =
                in.getParallelism() == 1 && in.getExecutionEnvironment().getParallelism() == 1;
        DataStream<Ingested> byPartition =
                single ? in : in.partitionCustom((Partitioner<Integer>) Math::floorMod, Ingested::partition);
        return byPartition
                .process(new RouteRejected(cfg.confirmEvents(), cfg.maxOutOfOrderness()))
                .uid("route-rejected")
                .name("route-rejected");
    }

    /** Every operator after {@code route-rejected}: the windows, early store rows and deltas. */
    public static Outputs windows(SingleOutputStreamOperator<Event> events, JobConfig cfg) {
        WindowRollups rollups = new WindowRollups(
                cfg.windowSpecs(),
                cfg.allowedLateness(),
                cfg.earlyInterval(),
                cfg.dedupHorizon(),
                cfg.cacheMaxEntries(),
                cfg.rollupStats());
        SingleOutputStreamOperator<WindowRow> rows = events.keyBy(Event::rollupKey)
                .transform(
                        "window-rollups",
                        WindowRollupsOperator.ROWS,
                        new WindowRollupsOperator(rollups, cfg.writeBackMaxEntries()))
                .uid("window-rollups")
                .name("window-rollups");
        DataStream<WindowRow> storeRows = null;
        if (cfg.storePostgres() || cfg.storeClickHouse()) {
            storeRows = cfg.storeEarlyInterval().isZero()
                    ? rows
                    : rows.transform("store-early-rows", rows.getType(), new StoreEarlyRows(cfg.storeEarlyInterval()))
                            .uid("store-early-rows");
        }
        DataStream<WindowDelta> deltas = cfg.redisEnabled() ? deltas(rows, cfg) : null;
        return new Outputs(
                rows,
                rows.getSideOutput(WindowRollups.TOO_LATE),
                events.getSideOutput(RouteRejected.REJECTED),
                storeRows,
                deltas);
    }

    /**
     * Deltas of the changelog: each row's change since the last row of its window. The rollups'
     * output is already partitioned by their key (tenant|type), so it is reinterpreted as keyed
     * instead of shuffled, and the delta emitter chains to the rollups.
     */
    static SingleOutputStreamOperator<WindowDelta> deltas(DataStream<WindowRow> rows, JobConfig cfg) {
        DeltaEmitter emitter = new DeltaEmitter(cfg.windowSpecs(), cfg.allowedLateness());
        return DataStreamUtils.reinterpretAsKeyedStream(rows, WindowRow::rollupKey, Types.STRING)
                .transform(
                        "delta-emitter",
                        DeltaEmitterOperator.DELTAS,
                        new DeltaEmitterOperator(emitter, cfg.writeBackMaxEntries()))
                .uid("delta-emitter")
                .name("delta-emitter");
    }

    /**
     * The cold path: closed rows batched per tenant ({@code cold-batch}, keyed state) into Parquet
     * files committed on checkpoints ({@code sink-cold}). The rollups' output is partitioned by
     * tenant|type, so the batch re-keys by tenant (a shuffle of closed rows only: early rows are
     * dropped before it). docs/cold.md.
     */
    static void cold(DataStream<WindowRow> rows, JobConfig cfg) {
        rows.filter(r -> r.kind() != io.rollcast.model.Kind.EARLY)
                .name("cold-closed-rows")
                .keyBy(WindowRow::tenantId)
                .transform(
                        "cold-batch",
                        WindowRollupsOperator.ROWS,
                        new ColdBatch(cfg.coldFlushInterval(), WindowRollupsOperator.ROWS))
                .uid("cold-batch")
                .name("cold-batch")
                .sinkTo(ColdParquetSink.create(cfg.coldPath()))
                .uid("sink-cold")
                .name("sink-cold");
    }

    /** Every sink: dead letters, late events, the changelog topic, the stores and Redis, as configured. */
    public static void sinks(Outputs out, JobConfig cfg) {
        out.rejected().sinkTo(KafkaIo.dlqSink(cfg)).uid("sink-dlq").name("sink-dlq");
        out.tooLate().sinkTo(KafkaIo.lateSink(cfg)).uid("sink-late").name("sink-late");
        if (!cfg.rowsTopic().isEmpty()) {
            out.rows().sinkTo(KafkaIo.rowsSink(cfg)).uid("sink-rows-kafka").name("sink-rows-kafka");
        }
        if (out.storeRows() != null) StoreSinks.attach(out.storeRows(), cfg);
        if (!cfg.coldPath().isEmpty()) cold(out.rows(), cfg);
        if (out.deltas() != null) {
            out.deltas()
                    .sinkTo(new RedisDeltaSink(cfg.redisSettings()))
                    .uid("sink-redis")
                    .name("sink-redis");
        }
    }
}
