package io.rollcast.jobs;

import io.rollcast.config.Config;
import io.rollcast.config.Option;
import io.rollcast.config.OptionSet;
import io.rollcast.model.Durations;
import io.rollcast.model.WindowSpec;
import io.rollcast.operators.WindowRollupsOperator;
import io.rollcast.store.StoreOptions;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The typed configuration of the rollup job: every option has a key, a default and a one-line doc.
 *
 * <p>Built on the config library ({@code io.rollcast.config}): read from a YAML file (nested or
 * dotted keys), then environment variables {@code ROLLCAST_JOB_<KEY>}, then {@code --set key=value}.
 * Unknown keys and bad values stop start-up with a message naming the key. The README's config table
 * is generated from {@link #OPTIONS} ({@code RollupJob --print-config-table}).
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Environment variables {@code ROLLCAST_JOB_<KEY>} set options too (between the file and --set). */
    public static final String ENV_PREFIX = "ROLLCAST_JOB_";

    private static double[] quantileLevels(String s) {
        List<Double> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (part.isBlank()) continue;
            double q;
            try {
                q = Double.parseDouble(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not a number");
            }
            if (!(q > 0 && q < 1)) throw new IllegalArgumentException("level " + part.trim() + " is not in (0, 1)");
            if (!out.isEmpty() && q <= out.get(out.size() - 1)) {
                throw new IllegalArgumentException("levels must be ascending and distinct");
            }
            out.add(q);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String distinctPath(String s) {
        String p = s.trim();
        if (!p.isEmpty()
                && !io.rollcast.operators.EventParser.DISTINCT_PATH.matcher(p).matches()) {
            throw new IllegalArgumentException(
                    "must be a dotted path into the payload, payload.<field>[.<field>...] with fields of [A-Za-z0-9_-], at most 8 deep");
        }
        return p;
    }

    private static Double positiveNumber(String s) {
        double v = Double.parseDouble(s.trim());
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException("must be a positive number");
        return v;
    }

    private static List<WindowSpec> specs(String s) {
        List<WindowSpec> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) out.add(WindowSpec.parse(part));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("needs at least one window spec");
        if (out.stream().map(WindowSpec::id).distinct().count() != out.size()) {
            throw new IllegalArgumentException("lists a window spec twice");
        }
        return List.copyOf(out);
    }

    public static final Option<String> KAFKA_BOOTSTRAP =
            Option.nonEmpty("kafka.bootstrap-servers", "127.0.0.1:19092", "Kafka bootstrap servers.");
    public static final Option<String> KAFKA_TOPIC =
            Option.nonEmpty("kafka.topic", "events", "Input topic of tenant events (key = tenant_id, JSON value).");
    public static final Option<String> KAFKA_GROUP = Option.nonEmpty(
            "kafka.group-id",
            "rollcast-rollups",
            "Consumer group; offsets are committed on checkpoints, for monitoring only.");
    public static final Option<String> KAFKA_START = Option.oneOf(
            "kafka.starting-offsets",
            "committed",
            "Where a job without state starts: committed (falling back to earliest), earliest or latest. A job restored from a savepoint always resumes from its own offsets.",
            "committed",
            "earliest",
            "latest");
    public static final Option<Boolean> KAFKA_BOUNDED = Option.bool(
            "kafka.bounded",
            "false",
            "Stop at the offsets that exist at start (a bounded backfill); the job then finishes.");
    public static final Option<String> KAFKA_DLQ = Option.nonEmpty(
            "kafka.dlq-topic",
            "events.dlq",
            "Dead-letter topic: original bytes, reason and source partition/offset in headers.");
    public static final Option<String> KAFKA_LATE =
            Option.nonEmpty("kafka.late-topic", "events.late", "Topic of events later than the allowed lateness.");
    public static final Option<String> KAFKA_ROWS = Option.string(
            "kafka.rows-topic",
            "rollups",
            "Topic of the window-row changelog (JSON, key = tenant_id); empty disables it.");
    public static final Option<Integer> INPUT_MAX_BYTES = Option.integer(
            "input.max-record-bytes", "65536", 1, "Records larger than this go to the dead-letter topic.");
    public static final Option<Duration> INPUT_MAX_FUTURE = Option.duration(
            "input.max-future",
            "1h",
            "Events stamped further than this ahead of their Kafka record's timestamp (CreateTime or LogAppendTime; the wall clock only for records without one) go to the dead-letter topic: a replay decides as the live run did.");
    public static final Option<Integer> DLQ_MAX_VALUE = Option.integer(
            "kafka.dlq-max-value-bytes",
            "900000",
            1,
            "Dead letters whose value is larger keep only this many leading bytes, with the original size and SHA-256 in headers (stay below the producer's max.request.size, 1 MB by default).");
    public static final Option<Duration> WM_DISORDER = Option.duration(
            "watermark.max-out-of-orderness",
            "5s",
            "A partition's watermark = its time (see watermark.confirm-events) minus this.");
    public static final Option<Integer> WM_CONFIRM = Option.integer(
            "watermark.confirm-events",
            "16",
            1,
            "A partition's time is the largest timestamp that this many consecutive events of it have all reached, so a shorter run of far-ahead events (a producer with a fast clock) never makes the rest of the partition late; 1 = the classic largest timestamp seen (docs/windows.md).");
    public static final Option<Duration> WM_IDLENESS = Option.duration(
            "watermark.idleness",
            "30s",
            "A partition without valid events this long (not counting time paused by back-pressure or alignment) stops holding the watermark back; 0s disables. Always off in a bounded run (kafka.bounded), where every partition ends with a final watermark.");
    public static final Option<Duration> WM_ALIGN_DRIFT = Option.duration(
            "watermark.alignment.max-drift",
            "0s",
            "Watermark alignment: pause partitions more than this ahead of the slowest (use for backfill); 0s disables.");
    public static final Option<Duration> WM_ALIGN_UPDATE = Option.duration(
            "watermark.alignment.update-interval", "1s", "How often partitions exchange watermarks for alignment.");
    public static final Option<Duration> WM_INTERVAL = Option.duration(
            "watermark.emit-interval", "200ms", "How often watermarks are emitted (pipeline.auto-watermark-interval).");
    public static final Option<List<WindowSpec>> WINDOW_SPECS = Option.of(
            "windows.specs",
            "window specs",
            "tumbling 1m,sliding 5m/1m,sliding 60m/1m",
            "Window specs: 'tumbling <size>' or 'sliding <size>/<slide>' (YAML list or comma-separated).",
            JobConfig::specs);
    public static final Option<Duration> WINDOW_LATENESS = Option.duration(
            "windows.allowed-lateness",
            "5m",
            "Events up to this late update final windows (kind late); later ones go to the late topic.");
    public static final Option<Duration> WINDOW_EARLY = Option.duration(
            "windows.early-interval",
            "1s",
            "Interval of early rows for open windows that changed; 0s disables early rows.");
    public static final Option<Duration> WINDOW_DEDUP = Option.duration(
            "windows.dedup-horizon",
            "0s",
            "Drop events whose event_id was seen for the same tenant and type within this processing-time horizon; 0s disables.");
    public static final Option<Integer> WINDOW_CACHE = Option.integer(
            "windows.cache-max-entries",
            "100000",
            1,
            "Per-subtask bound of the heap cache of sliding-window aggregators (keys x specs).");
    public static final Option<double[]> WINDOW_QUANTILES = Option.of(
            "windows.quantiles",
            "quantile levels",
            "",
            "Quantiles of value kept per window, e.g. [0.5, 0.9, 0.99] (levels in (0, 1), ascending); DDSketch, within 1 % relative (docs/windows.md); empty: none.",
            JobConfig::quantileLevels);
    public static final Option<String> WINDOW_DISTINCT = Option.of(
            "windows.distinct",
            "payload path",
            "",
            "Count the distinct values of this payload field per window, e.g. payload.user_id (dotted path of [A-Za-z0-9_-] fields, at most 8 deep; strings, numbers and booleans by their JSON text); HyperLogLog, ~1.2 % standard error (docs/windows.md); empty: none.",
            JobConfig::distinctPath);
    public static final Option<Integer> ANOMALY_HISTORY = Option.integer(
            "windows.anomaly.history",
            "0",
            0,
            "Score each final or late row against this many trailing windows of its key and spec (robust z-score, docs/windows.md); at least 3; 0 disables.");
    public static final Option<Double> ANOMALY_THRESHOLD = Option.of(
            "windows.anomaly.threshold",
            "number",
            "3.5",
            "A row is flagged when the absolute value of its anomaly score is at least this.",
            JobConfig::positiveNumber);
    public static final Option<String> ANOMALY_METRIC = Option.oneOf(
            "windows.anomaly.metric",
            "count",
            "What is scored: count, sum, or p99 (needs 0.99 in windows.quantiles).",
            "count",
            "sum",
            "p99");
    public static final Option<Integer> STATE_WRITE_BACK = Option.of(
            "state.write-back-max-entries",
            "integer or auto",
            "auto",
            "Per-subtask bound of the write-back heap cache in front of the keyed state of window-rollups and delta-emitter (written to the state backend before every checkpoint, or when full); 0 writes every change through to the state backend; auto (default) gives the job's caches in a TaskManager 40 % of its heap together, in proportion to their bytes per entry (~250 per pane entry, ~650 per delta-emitter entry, measured): ~97 000 entries each on a 416 MB heap with 2 slots. Below live keys per subtask x (longest window + allowed lateness) / pane, panes cycle through RocksDB (sparse keys over 3 h: 4.8x slower, README › Performance).",
            s -> {
                if (s.trim().equalsIgnoreCase("auto")) return WindowRollupsOperator.AUTO;
                try {
                    return Option.integerParser(0).parse(s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(e.getMessage() + " (or auto)");
                }
            });
    public static final Option<Integer> JOB_PARALLELISM =
            Option.integer("job.parallelism", "0", 0, "Parallelism of the job; 0 uses the cluster default.");
    public static final Option<Integer> JOB_MAX_PARALLELISM = Option.integer(
            "job.max-parallelism", "128", 1, "Max parallelism (number of key groups); frozen once state exists.");
    public static final Option<Duration> JOB_BUFFER_TIMEOUT = Option.duration(
            "job.buffer-timeout",
            "10ms",
            "Longest time a network buffer between tasks waits to fill before it is sent (execution.buffer-timeout.interval): lower is lower latency, higher is more throughput.");
    public static final Option<Duration> CHECKPOINT_INTERVAL = Option.duration(
            "checkpoint.interval",
            "10s",
            "Checkpoint interval (exactly-once state; the store sinks are idempotent upserts, the Kafka topics at-least-once with a dedup key: docs/windows.md).");
    public static final Option<String> STORE_TYPE = Option.oneOf(
            "store.type",
            "none",
            "Rollup store(s) the window rows are upserted into: none, postgres, clickhouse or both.",
            "none",
            "postgres",
            "clickhouse",
            "both");
    public static final Option<Duration> STORE_EARLY = Option.duration(
            "store.early-interval",
            "5s",
            "Early rows reach the stores at most this often per window (the latest one; final and late rows at once); Redis still gets every early row. 0s writes every early row.");
    public static final Option<String> COLD_PATH = StoreOptions.COLD_PATH;
    public static final Option<Duration> COLD_FLUSH = Option.positiveDuration(
            "cold.flush-interval",
            "1m",
            "A tenant's closed rows wait at most this long for others before they go to a Parquet file (one file per tenant-day per flush; state 'cold-rows').");
    public static final Option<String> PG_URL = StoreOptions.POSTGRES_URL;
    public static final Option<String> PG_USER = StoreOptions.POSTGRES_USER;
    public static final Option<String> PG_PASSWORD = StoreOptions.POSTGRES_PASSWORD;
    public static final Option<String> PG_TABLE = StoreOptions.POSTGRES_TABLE;
    public static final Option<Integer> PG_BATCH_SIZE = Option.integer(
            "store.postgres.batch-size",
            "1000",
            1,
            "Windows per batch of the Postgres sink: one COPY into a staging table and one merge; versions of a window within a batch count once (the highest is written).");
    public static final Option<Duration> PG_BATCH_INTERVAL = Option.duration(
            "store.postgres.batch-interval",
            "200ms",
            "The Postgres sink flushes a non-empty batch at least this often.");
    public static final Option<Integer> PG_MAX_RETRIES = Option.integer(
            "store.postgres.max-retries",
            "5",
            0,
            "Retries of a failed Postgres batch (reconnecting, backoff 1 s, 2 s, ...) before the job fails and restarts.");
    public static final Option<String> CH_URL = StoreOptions.CLICKHOUSE_URL;
    public static final Option<String> CH_DATABASE = StoreOptions.CLICKHOUSE_DATABASE;
    public static final Option<String> CH_USER = StoreOptions.CLICKHOUSE_USER;
    public static final Option<String> CH_PASSWORD = StoreOptions.CLICKHOUSE_PASSWORD;
    public static final Option<Integer> CH_BATCH_SIZE =
            Option.integer("store.clickhouse.batch-size", "5000", 1, "Rows per ClickHouse insert.");
    public static final Option<Duration> CH_BATCH_INTERVAL = Option.duration(
            "store.clickhouse.batch-interval", "1s", "The ClickHouse sink sends buffered rows at least this often.");
    public static final Option<Integer> CH_MAX_IN_FLIGHT = Option.integer(
            "store.clickhouse.max-in-flight",
            "2",
            1,
            "Concurrent ClickHouse inserts per sink subtask; more buffered rows back-pressure the job.");
    public static final Option<Integer> CH_MAX_RETRIES = Option.integer(
            "store.clickhouse.max-retries",
            "10",
            0,
            "Consecutive failed ClickHouse inserts (5xx, I/O; backoff 0.1 s doubling to 5 s) before the job fails and restarts; 4xx fails at once.");
    public static final Option<Duration> CH_TIMEOUT = Option.duration(
            "store.clickhouse.request-timeout",
            "30s",
            "Timeout of one ClickHouse insert; a timed-out insert is retried.");
    public static final Option<Boolean> REDIS_ENABLED = Option.bool(
            "redis.enabled",
            "false",
            "Publish window-row deltas to Redis: a channel per tenant, spec and hour plus a capped recovery stream per channel (docs/deltas.md).");
    public static final Option<String> REDIS_URI = Option.url(
            "redis.uri",
            "redis://127.0.0.1:16379",
            "Redis server, redis://[user:password@]host:port[/db] (password masked in the web UI).",
            "redis://",
            "rediss://");
    public static final Option<String> REDIS_MODE = Option.oneOf(
            "redis.mode",
            "live",
            "live: publish every delta; coalesce: only the latest per window every redis.coalesce-interval (backfills, replays); off: publish nothing (stores are still written).",
            "live",
            "coalesce",
            "off");
    public static final Option<Integer> REDIS_BATCH_SIZE = Option.integer(
            "redis.batch-size",
            "500",
            1,
            "Messages per Redis pipeline (one round trip); a full batch is sent at once.");
    public static final Option<Duration> REDIS_FLUSH_INTERVAL = Option.duration(
            "redis.flush-interval",
            "10ms",
            "Live mode: a message waits at most this long for its batch to fill; 0ms sends every message at once.");
    public static final Option<Duration> REDIS_COALESCE_INTERVAL = Option.positiveDuration(
            "redis.coalesce-interval",
            "1s",
            "Coalesce mode: how often the latest delta per window is published (and at every checkpoint).");
    public static final Option<Integer> REDIS_MAX_BUFFERED = Option.integer(
            "redis.max-buffered",
            "100000",
            1,
            "Most windows a sink subtask holds back in coalesce mode or while Redis is unreachable; beyond, coalesce publishes early and an outage drops the oldest.");
    public static final Option<Integer> REDIS_STREAM_MAX_LEN = Option.integer(
            "redis.stream-max-len", "1000", 1, "Approximate cap of each channel's recovery stream (XADD MAXLEN ~).");
    public static final Option<Duration> REDIS_STREAM_TTL = Option.of(
            "redis.stream-ttl",
            "duration",
            "1h",
            "A channel's recovery stream expires this long after its last message, or this long after that message's window end plus windows.allowed-lateness if sooner (so a replay of old hours keeps streams for ~1 s, not every hour for an hour); at least 1s.",
            s -> {
                Duration d = Durations.parse(s);
                if (d.toSeconds() < 1) throw new IllegalArgumentException("must be at least 1s");
                return d;
            });
    public static final Option<Integer> REDIS_POOL_SIZE = Option.integer(
            "redis.pool-size",
            "8",
            1,
            "Redis connections per TaskManager, shared by its delta-sink subtasks (each uses one at a time).");

    /** Every option of the job, in documentation order. */
    public static final OptionSet OPTIONS = new OptionSet(
            "job",
            ENV_PREFIX,
            Set.of(),
            List.of(
                    KAFKA_BOOTSTRAP,
                    KAFKA_TOPIC,
                    KAFKA_GROUP,
                    KAFKA_START,
                    KAFKA_BOUNDED,
                    KAFKA_DLQ,
                    KAFKA_LATE,
                    KAFKA_ROWS,
                    INPUT_MAX_BYTES,
                    INPUT_MAX_FUTURE,
                    DLQ_MAX_VALUE,
                    WM_DISORDER,
                    WM_CONFIRM,
                    WM_IDLENESS,
                    WM_ALIGN_DRIFT,
                    WM_ALIGN_UPDATE,
                    WM_INTERVAL,
                    WINDOW_SPECS,
                    WINDOW_LATENESS,
                    WINDOW_EARLY,
                    WINDOW_DEDUP,
                    WINDOW_CACHE,
                    WINDOW_QUANTILES,
                    WINDOW_DISTINCT,
                    ANOMALY_HISTORY,
                    ANOMALY_THRESHOLD,
                    ANOMALY_METRIC,
                    STATE_WRITE_BACK,
                    JOB_PARALLELISM,
                    JOB_MAX_PARALLELISM,
                    JOB_BUFFER_TIMEOUT,
                    CHECKPOINT_INTERVAL,
                    STORE_TYPE,
                    STORE_EARLY,
                    COLD_PATH,
                    COLD_FLUSH,
                    PG_URL,
                    PG_USER,
                    PG_PASSWORD,
                    PG_TABLE,
                    PG_BATCH_SIZE,
                    PG_BATCH_INTERVAL,
                    PG_MAX_RETRIES,
                    CH_URL,
                    CH_DATABASE,
                    CH_USER,
                    CH_PASSWORD,
                    CH_BATCH_SIZE,
                    CH_BATCH_INTERVAL,
                    CH_MAX_IN_FLIGHT,
                    CH_MAX_RETRIES,
                    CH_TIMEOUT,
                    REDIS_ENABLED,
                    REDIS_URI,
                    REDIS_MODE,
                    REDIS_BATCH_SIZE,
                    REDIS_FLUSH_INTERVAL,
                    REDIS_COALESCE_INTERVAL,
                    REDIS_MAX_BUFFERED,
                    REDIS_STREAM_MAX_LEN,
                    REDIS_STREAM_TTL,
                    REDIS_POOL_SIZE));

    private final Config config;

    private JobConfig(Config config) {
        this.config = config;
        rollupStats(); // cross-key checks of windows.quantiles and windows.anomaly.*
    }

    public static JobConfig defaults() {
        return new JobConfig(OPTIONS.of(Map.of()));
    }

    /** Loads {@code yaml} (may be null) and applies {@code overrides} on top; no environment (tests, tools). */
    public static JobConfig load(Path yaml, Map<String, String> overrides) {
        return load(yaml, Map.of(), overrides);
    }

    /** Loads {@code yaml} (may be null), then {@code env} ({@value #ENV_PREFIX}...), then {@code overrides}. */
    public static JobConfig load(Path yaml, Map<String, String> env, Map<String, String> overrides) {
        return new JobConfig(OPTIONS.load(yaml, env, overrides));
    }

    /**
     * The backfill variant of this config: from the earliest offsets, bounded to the offsets that
     * exist at start, its own consumer group, no early rows (a replayed window closes seconds after
     * it opens; its final row is what the stores need), Redis deltas coalesced unless redis.mode is
     * set, and watermark alignment with a 10 min drift unless one is set (a bound on
     * how far one partition's panes can run ahead, wide enough that one fetch of a dense partition
     * does not pause it: 30 s paused the source ~70 % of the time in bin/bench pipeline).
     */
    public JobConfig forBackfill() {
        JobConfig c = with("kafka.starting-offsets", "earliest")
                .with("kafka.bounded", "true")
                .with("kafka.group-id", kafkaGroupId() + "-backfill");
        if (alignmentMaxDrift().isZero()) c = c.with(WM_ALIGN_DRIFT.key(), "10m");
        c = c.with(WINDOW_EARLY.key(), "0s");
        if (!config.isSet(REDIS_MODE)) c = c.with(REDIS_MODE.key(), "coalesce"); // do not flood subscribers
        return c;
    }

    /** A copy with one more override; for tests and tools. */
    public JobConfig with(String key, String value) {
        return new JobConfig(config.with(key, value));
    }

    /** The value of one option. */
    public <T> T get(Option<T> o) {
        return config.get(o);
    }

    public String kafkaBootstrap() {
        return get(KAFKA_BOOTSTRAP);
    }

    public String kafkaTopic() {
        return get(KAFKA_TOPIC);
    }

    public String kafkaGroupId() {
        return get(KAFKA_GROUP);
    }

    public String kafkaStartingOffsets() {
        return get(KAFKA_START);
    }

    public boolean kafkaBounded() {
        return get(KAFKA_BOUNDED);
    }

    public String dlqTopic() {
        return get(KAFKA_DLQ);
    }

    public String lateTopic() {
        return get(KAFKA_LATE);
    }

    public String rowsTopic() {
        return get(KAFKA_ROWS);
    }

    public int maxRecordBytes() {
        return get(INPUT_MAX_BYTES);
    }

    public Duration maxFuture() {
        return get(INPUT_MAX_FUTURE);
    }

    public Duration maxOutOfOrderness() {
        return get(WM_DISORDER);
    }

    public int confirmEvents() {
        return get(WM_CONFIRM);
    }

    public int dlqMaxValueBytes() {
        return get(DLQ_MAX_VALUE);
    }

    /**
     * {@code watermark.idleness}, or zero for a bounded run: there every partition ends with a final
     * watermark, so a silent one cannot stall the job, and idleness could only let the other
     * partitions close and purge a slow partition's windows before its events arrive (which
     * then go to the late topic): bounded runs must give the live run's rows.
     */
    public Duration idleness() {
        return get(KAFKA_BOUNDED) ? Duration.ZERO : get(WM_IDLENESS);
    }

    public Duration alignmentMaxDrift() {
        return get(WM_ALIGN_DRIFT);
    }

    public Duration alignmentUpdateInterval() {
        return get(WM_ALIGN_UPDATE);
    }

    public Duration watermarkInterval() {
        return get(WM_INTERVAL);
    }

    public List<WindowSpec> windowSpecs() {
        return get(WINDOW_SPECS);
    }

    public Duration allowedLateness() {
        return get(WINDOW_LATENESS);
    }

    public Duration earlyInterval() {
        return get(WINDOW_EARLY);
    }

    public Duration dedupHorizon() {
        return get(WINDOW_DEDUP);
    }

    /**
     * The statistics the rollups keep (quantiles, distinct counts, anomaly scores).
     *
     * @throws ConfigException naming the key, when the anomaly settings do not fit the others
     */
    public io.rollcast.operators.RollupStats rollupStats() {
        int history = get(ANOMALY_HISTORY);
        if (history > 0 && history < 3) {
            throw new io.rollcast.config.ConfigException(
                    "config key '" + ANOMALY_HISTORY.key() + "': " + history + " must be 0 or at least 3");
        }
        double[] levels = get(WINDOW_QUANTILES);
        String metric = get(ANOMALY_METRIC);
        if (history > 0
                && metric.equals("p99")
                && java.util.Arrays.stream(levels).noneMatch(q -> q == 0.99)) {
            throw new io.rollcast.config.ConfigException(
                    "config key '" + ANOMALY_METRIC.key() + "': p99 needs 0.99 in " + WINDOW_QUANTILES.key());
        }
        return new io.rollcast.operators.RollupStats(
                levels, !distinctPath().isEmpty(), history, get(ANOMALY_THRESHOLD), metric);
    }

    /** {@code windows.distinct}: a payload path, or empty. */
    public String distinctPath() {
        return get(WINDOW_DISTINCT);
    }

    public int cacheMaxEntries() {
        return get(WINDOW_CACHE);
    }

    public int parallelism() {
        return get(JOB_PARALLELISM);
    }

    public int maxParallelism() {
        return get(JOB_MAX_PARALLELISM);
    }

    public Duration bufferTimeout() {
        return get(JOB_BUFFER_TIMEOUT);
    }

    public int writeBackMaxEntries() {
        return get(STATE_WRITE_BACK);
    }

    public Duration storeEarlyInterval() {
        return get(STORE_EARLY);
    }

    /** The cold path's root, empty when off. */
    public String coldPath() {
        return get(COLD_PATH);
    }

    public Duration coldFlushInterval() {
        return get(COLD_FLUSH);
    }

    public Duration checkpointInterval() {
        return get(CHECKPOINT_INTERVAL);
    }

    public String storeType() {
        return get(STORE_TYPE);
    }

    public boolean storePostgres() {
        return storeType().equals("postgres") || storeType().equals("both");
    }

    public boolean storeClickHouse() {
        return storeType().equals("clickhouse") || storeType().equals("both");
    }

    public String postgresUrl() {
        return get(PG_URL);
    }

    public String postgresUser() {
        return get(PG_USER);
    }

    public String postgresPassword() {
        return get(PG_PASSWORD);
    }

    public String postgresTable() {
        return get(PG_TABLE);
    }

    public int postgresBatchSize() {
        return get(PG_BATCH_SIZE);
    }

    public Duration postgresBatchInterval() {
        return get(PG_BATCH_INTERVAL);
    }

    public int postgresMaxRetries() {
        return get(PG_MAX_RETRIES);
    }

    public String clickhouseUrl() {
        return get(CH_URL);
    }

    public String clickhouseDatabase() {
        return get(CH_DATABASE);
    }

    public String clickhouseUser() {
        return get(CH_USER);
    }

    public String clickhousePassword() {
        return get(CH_PASSWORD);
    }

    public int clickhouseBatchSize() {
        return get(CH_BATCH_SIZE);
    }

    public Duration clickhouseBatchInterval() {
        return get(CH_BATCH_INTERVAL);
    }

    public int clickhouseMaxInFlight() {
        return get(CH_MAX_IN_FLIGHT);
    }

    public int clickhouseMaxRetries() {
        return get(CH_MAX_RETRIES);
    }

    public Duration clickhouseRequestTimeout() {
        return get(CH_TIMEOUT);
    }

    public boolean redisEnabled() {
        return get(REDIS_ENABLED);
    }

    public String redisUri() {
        return get(REDIS_URI);
    }

    public String redisMode() {
        return get(REDIS_MODE);
    }

    /** Settings of the Redis delta sink. */
    public io.rollcast.sinks.redis.RedisSettings redisSettings() {
        Duration ttl = get(REDIS_STREAM_TTL);
        return new io.rollcast.sinks.redis.RedisSettings(
                redisUri(),
                io.rollcast.sinks.redis.DeltaMode.parse(redisMode()),
                get(REDIS_BATCH_SIZE),
                get(REDIS_FLUSH_INTERVAL).toMillis(),
                get(REDIS_COALESCE_INTERVAL).toMillis(),
                get(REDIS_MAX_BUFFERED),
                get(REDIS_STREAM_MAX_LEN),
                ttl.toSeconds(),
                get(REDIS_POOL_SIZE),
                allowedLateness().toMillis());
    }

    /** Effective values as strings, shown in the Flink web UI as global job parameters (secrets masked). */
    public Map<String, String> asMap() {
        return config.shown();
    }

    /** The README's config table, in Markdown. */
    public static String markdownTable() {
        return OPTIONS.markdownTable();
    }
}
