package io.rollcast.jobs;

import io.rollcast.model.Durations;
import io.rollcast.model.WindowSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The typed configuration of the rollup job: every option has a key, a default and a one-line doc.
 *
 * <p>Read from a YAML file (nested or dotted keys) plus {@code --set key=value} overrides. Unknown
 * keys and bad values stop start-up with a message naming the key. The README's config table is
 * generated from {@link #OPTIONS} ({@code RollupJob --print-config-table}).
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One documented option. */
    public record Option(String key, String defaultValue, String doc, Function<String, Object> parser)
            implements Serializable {}

    private static final Map<String, Option> OPTIONS = new LinkedHashMap<>();

    private static Option opt(String key, String def, String doc, Function<String, Object> parser) {
        Option o = new Option(key, def, doc, (Function<String, Object> & Serializable) parser::apply);
        OPTIONS.put(key, o);
        return o;
    }

    private static Object string(String s) {
        return s;
    }

    private static Object nonEmpty(String s) {
        if (s.isBlank()) throw new IllegalArgumentException("must not be empty");
        return s.trim();
    }

    private static Object positiveInt(String s) {
        int v = Integer.parseInt(s.trim());
        if (v <= 0) throw new IllegalArgumentException("must be a positive integer");
        return v;
    }

    private static Object nonNegativeInt(String s) {
        int v = Integer.parseInt(s.trim());
        if (v < 0) throw new IllegalArgumentException("must not be negative");
        return v;
    }

    private static Object duration(String s) {
        return Durations.parse(s);
    }

    private static Object bool(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static Function<String, Object> oneOf(String... values) {
        return s -> {
            if (!Arrays.asList(values).contains(s.trim())) {
                throw new IllegalArgumentException("must be one of " + String.join(", ", values));
            }
            return s.trim();
        };
    }

    /** A SQL identifier from config (a table or database name): spliced into SQL, so strictly checked. */
    private static Object identifier(String s) {
        if (!s.trim().matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("must be an identifier: [A-Za-z_][A-Za-z0-9_]*, at most 63 characters");
        }
        return s.trim();
    }

    private static Function<String, Object> urlWithPrefix(String... prefixes) {
        return s -> {
            String v = s.trim();
            if (Arrays.stream(prefixes).noneMatch(v::startsWith)) {
                throw new IllegalArgumentException("must start with " + String.join(" or ", prefixes));
            }
            return v;
        };
    }

    private static Object positiveDuration(String s) {
        Duration d = Durations.parse(s);
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be a positive duration");
        return d;
    }

    private static Object specs(String s) {
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

    public static final Option KAFKA_BOOTSTRAP = opt("kafka.bootstrap-servers", "127.0.0.1:19092", "Kafka bootstrap servers.", JobConfig::nonEmpty);
    public static final Option KAFKA_TOPIC = opt("kafka.topic", "events", "Input topic of tenant events (key = tenant_id, JSON value).", JobConfig::nonEmpty);
    public static final Option KAFKA_GROUP = opt("kafka.group-id", "rollcast-rollups", "Consumer group; offsets are committed on checkpoints, for monitoring only.", JobConfig::nonEmpty);
    public static final Option KAFKA_START = opt("kafka.starting-offsets", "committed", "Where a job without state starts: committed (falling back to earliest), earliest or latest. A job restored from a savepoint always resumes from its own offsets.", oneOf("committed", "earliest", "latest"));
    public static final Option KAFKA_BOUNDED = opt("kafka.bounded", "false", "Stop at the offsets that exist at start (a bounded backfill); the job then finishes.", JobConfig::bool);
    public static final Option KAFKA_DLQ = opt("kafka.dlq-topic", "events.dlq", "Dead-letter topic: original bytes, reason and source partition/offset in headers.", JobConfig::nonEmpty);
    public static final Option KAFKA_LATE = opt("kafka.late-topic", "events.late", "Topic of events later than the allowed lateness.", JobConfig::nonEmpty);
    public static final Option KAFKA_ROWS = opt("kafka.rows-topic", "rollups", "Topic of the window-row changelog (JSON, key = tenant_id); empty disables it.", JobConfig::string);
    public static final Option INPUT_MAX_BYTES = opt("input.max-record-bytes", "65536", "Records larger than this go to the dead-letter topic.", JobConfig::positiveInt);
    public static final Option INPUT_MAX_FUTURE = opt("input.max-future", "1h", "Events stamped further than this ahead of their Kafka record's timestamp (CreateTime or LogAppendTime; the wall clock only for records without one) go to the dead-letter topic: a replay decides as the live run did.", JobConfig::duration);
    public static final Option DLQ_MAX_VALUE = opt("kafka.dlq-max-value-bytes", "900000", "Dead letters whose value is larger keep only this many leading bytes, with the original size and SHA-256 in headers (stay below the producer's max.request.size, 1 MB by default).", JobConfig::positiveInt);
    public static final Option WM_DISORDER = opt("watermark.max-out-of-orderness", "5s", "A partition's watermark = its time (see watermark.confirm-events) minus this.", JobConfig::duration);
    public static final Option WM_CONFIRM = opt("watermark.confirm-events", "16", "A partition's time is the largest timestamp that this many consecutive events of it have all reached, so a shorter run of far-ahead events (a producer with a fast clock) never makes the rest of the partition late; 1 = the classic largest timestamp seen (docs/windows.md).", JobConfig::positiveInt);
    public static final Option WM_IDLENESS = opt("watermark.idleness", "30s", "A partition without valid events this long (not counting time paused by back-pressure or alignment) stops holding the watermark back; 0s disables.", JobConfig::duration);
    public static final Option WM_ALIGN_DRIFT = opt("watermark.alignment.max-drift", "0s", "Watermark alignment: pause partitions more than this ahead of the slowest (use for backfill); 0s disables.", JobConfig::duration);
    public static final Option WM_ALIGN_UPDATE = opt("watermark.alignment.update-interval", "1s", "How often partitions exchange watermarks for alignment.", JobConfig::duration);
    public static final Option WM_INTERVAL = opt("watermark.emit-interval", "200ms", "How often watermarks are emitted (pipeline.auto-watermark-interval).", JobConfig::duration);
    public static final Option WINDOW_SPECS = opt("windows.specs", "tumbling 1m,sliding 5m/1m,sliding 60m/1m", "Window specs: 'tumbling <size>' or 'sliding <size>/<slide>' (YAML list or comma-separated).", JobConfig::specs);
    public static final Option WINDOW_LATENESS = opt("windows.allowed-lateness", "5m", "Events up to this late update final windows (kind late); later ones go to the late topic.", JobConfig::duration);
    public static final Option WINDOW_EARLY = opt("windows.early-interval", "1s", "Interval of early rows for open windows that changed; 0s disables early rows.", JobConfig::duration);
    public static final Option WINDOW_DEDUP = opt("windows.dedup-horizon", "0s", "Drop events whose event_id was seen for the same tenant and type within this processing-time horizon; 0s disables.", JobConfig::duration);
    public static final Option WINDOW_CACHE = opt("windows.cache-max-entries", "100000", "Per-subtask bound of the heap cache of sliding-window aggregators (keys x specs).", JobConfig::positiveInt);
    public static final Option STATE_WRITE_BACK = opt("state.write-back-max-entries", "100000", "Per-subtask bound of the write-back heap cache in front of the keyed state of window-rollups and delta-emitter (written to the state backend before every checkpoint, or when full); 0 writes every change through to the state backend.", JobConfig::nonNegativeInt);
    public static final Option JOB_PARALLELISM = opt("job.parallelism", "0", "Parallelism of the job; 0 uses the cluster default.", JobConfig::nonNegativeInt);
    public static final Option JOB_MAX_PARALLELISM = opt("job.max-parallelism", "128", "Max parallelism (number of key groups); frozen once state exists.", JobConfig::positiveInt);
    public static final Option JOB_BUFFER_TIMEOUT = opt("job.buffer-timeout", "10ms", "Longest time a network buffer between tasks waits to fill before it is sent (execution.buffer-timeout.interval): lower is lower latency, higher is more throughput.", JobConfig::duration);
    public static final Option CHECKPOINT_INTERVAL = opt("checkpoint.interval", "10s", "Checkpoint interval (exactly-once state; the store sinks are idempotent upserts, the Kafka topics at-least-once with a dedup key: docs/windows.md).", JobConfig::duration);
    public static final Option CHECKPOINT_DIR = opt("checkpoint.dir", "", "Checkpoint directory URI; empty uses the cluster's execution.checkpointing.dir.", JobConfig::string);
    public static final Option STATE_BACKEND = opt("state.backend", "rocksdb", "State backend: rocksdb (production) or hashmap.", oneOf("rocksdb", "hashmap"));
    public static final Option STATE_TIMERS = opt("state.timer-service", "rocksdb", "Where RocksDB keeps timers: rocksdb (scales, asynchronous incremental snapshots) or heap (measured no faster here).", oneOf("heap", "rocksdb"));
    public static final Option STATE_INCREMENTAL = opt("state.incremental", "true", "Incremental RocksDB checkpoints.", JobConfig::bool);
    public static final Option STORE_TYPE = opt("store.type", "none", "Rollup store(s) the window rows are upserted into: none, postgres, clickhouse or both.", oneOf("none", "postgres", "clickhouse", "both"));
    public static final Option STORE_EARLY = opt("store.early-interval", "5s", "Early rows reach the stores at most this often per window (the latest one; final and late rows at once); Redis still gets every early row. 0s writes every early row.", JobConfig::duration);
    public static final Option STORE_MIGRATE = opt("store.migrate", "true", "Apply the schema migrations (sql/) of the enabled stores when the job is submitted; false leaves it to the 'schema' command.", JobConfig::bool);
    public static final Option PG_URL = opt("store.postgres.url", "jdbc:postgresql://127.0.0.1:15432/postgres", "JDBC URL of the Postgres rollup store.", urlWithPrefix("jdbc:postgresql:"));
    public static final Option PG_USER = opt("store.postgres.user", "postgres", "Postgres user.", JobConfig::string);
    public static final Option PG_PASSWORD = opt("store.postgres.password", "", "Postgres password (masked in the web UI).", JobConfig::string);
    public static final Option PG_TABLE = opt("store.postgres.table", "rollups", "Postgres rollup table (an identifier).", JobConfig::identifier);
    public static final Option PG_BATCH_SIZE = opt("store.postgres.batch-size", "1000", "Rows per JDBC batch of the Postgres sink.", JobConfig::positiveInt);
    public static final Option PG_BATCH_INTERVAL = opt("store.postgres.batch-interval", "200ms", "The Postgres sink flushes a non-empty batch at least this often.", JobConfig::duration);
    public static final Option PG_MAX_RETRIES = opt("store.postgres.max-retries", "5", "Retries of a failed Postgres batch (reconnecting, backoff 1 s, 2 s, ...) before the job fails and restarts.", JobConfig::nonNegativeInt);
    public static final Option CH_URL = opt("store.clickhouse.url", "http://127.0.0.1:18123/", "HTTP URL of the ClickHouse rollup store.", urlWithPrefix("http://", "https://"));
    public static final Option CH_DATABASE = opt("store.clickhouse.database", "rollcast", "ClickHouse database of the rollups table (an identifier; created by the migrations).", JobConfig::identifier);
    public static final Option CH_USER = opt("store.clickhouse.user", "default", "ClickHouse user (HTTP Basic auth).", JobConfig::string);
    public static final Option CH_PASSWORD = opt("store.clickhouse.password", "", "ClickHouse password (masked in the web UI).", JobConfig::string);
    public static final Option CH_BATCH_SIZE = opt("store.clickhouse.batch-size", "5000", "Rows per ClickHouse insert.", JobConfig::positiveInt);
    public static final Option CH_BATCH_INTERVAL = opt("store.clickhouse.batch-interval", "1s", "The ClickHouse sink sends buffered rows at least this often.", JobConfig::duration);
    public static final Option CH_MAX_IN_FLIGHT = opt("store.clickhouse.max-in-flight", "2", "Concurrent ClickHouse inserts per sink subtask; more buffered rows back-pressure the job.", JobConfig::positiveInt);
    public static final Option CH_MAX_RETRIES = opt("store.clickhouse.max-retries", "10", "Consecutive failed ClickHouse inserts (5xx, I/O; backoff 0.1 s doubling to 5 s) before the job fails and restarts; 4xx fails at once.", JobConfig::nonNegativeInt);
    public static final Option CH_TIMEOUT = opt("store.clickhouse.request-timeout", "30s", "Timeout of one ClickHouse insert; a timed-out insert is retried.", JobConfig::duration);
    public static final Option REDIS_ENABLED = opt("redis.enabled", "false", "Publish window-row deltas to Redis: a channel per tenant, spec and hour plus a capped recovery stream per channel (docs/deltas.md).", JobConfig::bool);
    public static final Option REDIS_URI = opt("redis.uri", "redis://127.0.0.1:16379", "Redis server, redis://[user:password@]host:port[/db] (password masked in the web UI).", urlWithPrefix("redis://", "rediss://"));
    public static final Option REDIS_MODE = opt("redis.mode", "live", "live: publish every delta; coalesce: only the latest per window every redis.coalesce-interval (backfills, replays); off: publish nothing (stores are still written).", oneOf("live", "coalesce", "off"));
    public static final Option REDIS_BATCH_SIZE = opt("redis.batch-size", "500", "Messages per Redis pipeline (one round trip); a full batch is sent at once.", JobConfig::positiveInt);
    public static final Option REDIS_FLUSH_INTERVAL = opt("redis.flush-interval", "10ms", "Live mode: a message waits at most this long for its batch to fill; 0ms sends every message at once.", JobConfig::duration);
    public static final Option REDIS_COALESCE_INTERVAL = opt("redis.coalesce-interval", "1s", "Coalesce mode: how often the latest delta per window is published (and at every checkpoint).", JobConfig::positiveDuration);
    public static final Option REDIS_MAX_BUFFERED = opt("redis.max-buffered", "100000", "Most windows a sink subtask holds back in coalesce mode or while Redis is unreachable; beyond, coalesce publishes early and an outage drops the oldest.", JobConfig::positiveInt);
    public static final Option REDIS_STREAM_MAX_LEN = opt("redis.stream-max-len", "1000", "Approximate cap of each channel's recovery stream (XADD MAXLEN ~).", JobConfig::positiveInt);
    public static final Option REDIS_STREAM_TTL = opt("redis.stream-ttl", "1h", "A channel's recovery stream expires this long after its last message (at least 1s).", s -> { Duration d = (Duration) positiveDuration(s); if (d.toSeconds() < 1) throw new IllegalArgumentException("must be at least 1s"); return d; });
    public static final Option REDIS_POOL_SIZE = opt("redis.pool-size", "8", "Redis connections per TaskManager, shared by its delta-sink subtasks (each uses one at a time).", JobConfig::positiveInt);

    private final Map<String, Object> values;
    private final Map<String, String> raw;

    private JobConfig(Map<String, String> raw) {
        this.raw = new LinkedHashMap<>(raw);
        this.values = new LinkedHashMap<>();
        for (Option o : OPTIONS.values()) {
            String text = raw.getOrDefault(o.key(), o.defaultValue());
            try {
                values.put(o.key(), o.parser().apply(text));
            } catch (RuntimeException e) {
                throw new ConfigException("config key '" + o.key() + "': '" + text + "' " + message(e));
            }
        }
    }

    private static String message(RuntimeException e) {
        if (e instanceof NumberFormatException) return "is not a number";
        String m = e.getMessage();
        return m == null ? "is invalid" : (m.startsWith("'") ? "is invalid: " + m : m);
    }

    public static JobConfig defaults() {
        return new JobConfig(Map.of());
    }

    /** Loads {@code yaml} (may be null) and applies {@code overrides} on top. */
    public static JobConfig load(Path yaml, Map<String, String> overrides) {
        Map<String, String> raw = new LinkedHashMap<>();
        if (yaml != null) {
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(yaml));
                if (root != null && !root.isNull()) {
                    if (!root.isObject()) throw new ConfigException("config file " + yaml + " must be a YAML mapping");
                    flatten("", root, raw);
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + yaml + ": " + e.getMessage());
            }
        }
        raw.putAll(overrides);
        for (String key : raw.keySet()) {
            if (!OPTIONS.containsKey(key)) {
                throw new ConfigException("unknown config key '" + key + "' (see the config table in the README; known keys: "
                        + String.join(", ", OPTIONS.keySet()) + ")");
            }
        }
        return new JobConfig(raw);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (e.getValue().isObject() && !OPTIONS.containsKey(key)) {
                    flatten(key, e.getValue(), out);
                } else {
                    out.put(key, scalar(key, e.getValue()));
                }
            }
        }
    }

    private static String scalar(String key, JsonNode v) {
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(x.asText()));
            return String.join(",", parts);
        }
        if (v.isObject()) throw new ConfigException("config key '" + key + "' must be a value, not a mapping");
        return v.isNull() ? "" : v.asText();
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
        JobConfig c = with("kafka.starting-offsets", "earliest").with("kafka.bounded", "true")
                .with("kafka.group-id", kafkaGroupId() + "-backfill");
        if (alignmentMaxDrift().isZero()) c = c.with(WM_ALIGN_DRIFT.key(), "10m");
        c = c.with(WINDOW_EARLY.key(), "0s");
        if (!raw.containsKey(REDIS_MODE.key())) c = c.with(REDIS_MODE.key(), "coalesce"); // do not flood subscribers
        return c;
    }

    /** A copy with one more override; for tests and tools. */
    public JobConfig with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(raw);
        m.put(key, value);
        return load(null, m);
    }

    @SuppressWarnings("unchecked")
    private <T> T get(Option o) {
        return (T) values.get(o.key());
    }

    public String kafkaBootstrap() { return get(KAFKA_BOOTSTRAP); }
    public String kafkaTopic() { return get(KAFKA_TOPIC); }
    public String kafkaGroupId() { return get(KAFKA_GROUP); }
    public String kafkaStartingOffsets() { return get(KAFKA_START); }
    public boolean kafkaBounded() { return get(KAFKA_BOUNDED); }
    public String dlqTopic() { return get(KAFKA_DLQ); }
    public String lateTopic() { return get(KAFKA_LATE); }
    public String rowsTopic() { return get(KAFKA_ROWS); }
    public int maxRecordBytes() { return get(INPUT_MAX_BYTES); }
    public Duration maxFuture() { return get(INPUT_MAX_FUTURE); }
    public Duration maxOutOfOrderness() { return get(WM_DISORDER); }
    public int confirmEvents() { return get(WM_CONFIRM); }
    public int dlqMaxValueBytes() { return get(DLQ_MAX_VALUE); }
    public Duration idleness() { return get(WM_IDLENESS); }
    public Duration alignmentMaxDrift() { return get(WM_ALIGN_DRIFT); }
    public Duration alignmentUpdateInterval() { return get(WM_ALIGN_UPDATE); }
    public Duration watermarkInterval() { return get(WM_INTERVAL); }
    public List<WindowSpec> windowSpecs() { return get(WINDOW_SPECS); }
    public Duration allowedLateness() { return get(WINDOW_LATENESS); }
    public Duration earlyInterval() { return get(WINDOW_EARLY); }
    public Duration dedupHorizon() { return get(WINDOW_DEDUP); }
    public int cacheMaxEntries() { return get(WINDOW_CACHE); }
    public int parallelism() { return get(JOB_PARALLELISM); }
    public int maxParallelism() { return get(JOB_MAX_PARALLELISM); }
    public Duration bufferTimeout() { return get(JOB_BUFFER_TIMEOUT); }
    public int writeBackMaxEntries() { return get(STATE_WRITE_BACK); }
    public Duration storeEarlyInterval() { return get(STORE_EARLY); }
    public Duration checkpointInterval() { return get(CHECKPOINT_INTERVAL); }
    public String checkpointDir() { return get(CHECKPOINT_DIR); }
    public String stateBackend() { return get(STATE_BACKEND); }
    public boolean incrementalCheckpoints() { return get(STATE_INCREMENTAL); }
    public String timerService() { return get(STATE_TIMERS); }

    public String storeType() { return get(STORE_TYPE); }
    public boolean storePostgres() { return storeType().equals("postgres") || storeType().equals("both"); }
    public boolean storeClickHouse() { return storeType().equals("clickhouse") || storeType().equals("both"); }
    public boolean storeMigrate() { return get(STORE_MIGRATE); }
    public String postgresUrl() { return get(PG_URL); }
    public String postgresUser() { return get(PG_USER); }
    public String postgresPassword() { return get(PG_PASSWORD); }
    public String postgresTable() { return get(PG_TABLE); }
    public int postgresBatchSize() { return get(PG_BATCH_SIZE); }
    public Duration postgresBatchInterval() { return get(PG_BATCH_INTERVAL); }
    public int postgresMaxRetries() { return get(PG_MAX_RETRIES); }
    public String clickhouseUrl() { return get(CH_URL); }
    public String clickhouseDatabase() { return get(CH_DATABASE); }
    public String clickhouseUser() { return get(CH_USER); }
    public String clickhousePassword() { return get(CH_PASSWORD); }
    public int clickhouseBatchSize() { return get(CH_BATCH_SIZE); }
    public Duration clickhouseBatchInterval() { return get(CH_BATCH_INTERVAL); }
    public int clickhouseMaxInFlight() { return get(CH_MAX_IN_FLIGHT); }
    public int clickhouseMaxRetries() { return get(CH_MAX_RETRIES); }
    public Duration clickhouseRequestTimeout() { return get(CH_TIMEOUT); }

    public boolean redisEnabled() { return get(REDIS_ENABLED); }
    public String redisUri() { return get(REDIS_URI); }
    public String redisMode() { return get(REDIS_MODE); }

    /** Settings of the Redis delta sink. */
    public io.rollcast.sinks.redis.RedisSettings redisSettings() {
        Duration ttl = get(REDIS_STREAM_TTL);
        return new io.rollcast.sinks.redis.RedisSettings(redisUri(), io.rollcast.sinks.redis.DeltaMode.parse(redisMode()),
                this.<Integer>get(REDIS_BATCH_SIZE), this.<Duration>get(REDIS_FLUSH_INTERVAL).toMillis(),
                this.<Duration>get(REDIS_COALESCE_INTERVAL).toMillis(), this.<Integer>get(REDIS_MAX_BUFFERED),
                this.<Integer>get(REDIS_STREAM_MAX_LEN), ttl.toSeconds(), this.<Integer>get(REDIS_POOL_SIZE));
    }

    /** Effective values as strings, shown in the Flink web UI as global job parameters (passwords masked). */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Option o : OPTIONS.values()) {
            String v = raw.getOrDefault(o.key(), o.defaultValue());
            m.put(o.key(), o.key().endsWith(".password") && !v.isEmpty() ? "******" : v);
            if (o == REDIS_URI && v.contains("@")) m.put(o.key(), v.replaceFirst("//[^@/]*@", "//******@"));
        }
        return m;
    }

    /** The README's config table, in Markdown. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (Option o : OPTIONS.values()) {
            sb.append("| `").append(o.key()).append("` | `").append(o.defaultValue().isEmpty() ? "\"\"" : o.defaultValue())
                    .append("` | ").append(o.doc()).append(" |\n");
        }
        return sb.toString();
    }
}
