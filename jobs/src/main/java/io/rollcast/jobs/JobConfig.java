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
    public static final Option INPUT_MAX_FUTURE = opt("input.max-future", "1h", "Events stamped further than this ahead of the wall clock go to the dead-letter topic.", JobConfig::duration);
    public static final Option WM_DISORDER = opt("watermark.max-out-of-orderness", "5s", "Watermark = largest timestamp seen in a partition minus this.", JobConfig::duration);
    public static final Option WM_IDLENESS = opt("watermark.idleness", "30s", "A partition silent this long stops holding the watermark back; 0s disables.", JobConfig::duration);
    public static final Option WM_ALIGN_DRIFT = opt("watermark.alignment.max-drift", "0s", "Watermark alignment: pause partitions more than this ahead of the slowest (use for backfill); 0s disables.", JobConfig::duration);
    public static final Option WM_ALIGN_UPDATE = opt("watermark.alignment.update-interval", "1s", "How often partitions exchange watermarks for alignment.", JobConfig::duration);
    public static final Option WM_INTERVAL = opt("watermark.emit-interval", "200ms", "How often watermarks are emitted (pipeline.auto-watermark-interval).", JobConfig::duration);
    public static final Option WINDOW_SPECS = opt("windows.specs", "tumbling 1m,sliding 5m/1m,sliding 60m/1m", "Window specs: 'tumbling <size>' or 'sliding <size>/<slide>' (YAML list or comma-separated).", JobConfig::specs);
    public static final Option WINDOW_LATENESS = opt("windows.allowed-lateness", "5m", "Events up to this late update final windows (kind late); later ones go to the late topic.", JobConfig::duration);
    public static final Option WINDOW_EARLY = opt("windows.early-interval", "1s", "Interval of early rows for open windows that changed; 0s disables early rows.", JobConfig::duration);
    public static final Option WINDOW_DEDUP = opt("windows.dedup-horizon", "0s", "Drop events whose event_id was seen for the same tenant and type within this processing-time horizon; 0s disables.", JobConfig::duration);
    public static final Option WINDOW_CACHE = opt("windows.cache-max-entries", "100000", "Per-subtask bound of the heap cache of sliding-window aggregators (keys x specs).", JobConfig::positiveInt);
    public static final Option JOB_PARALLELISM = opt("job.parallelism", "0", "Parallelism of the job; 0 uses the cluster default.", JobConfig::nonNegativeInt);
    public static final Option JOB_MAX_PARALLELISM = opt("job.max-parallelism", "128", "Max parallelism (number of key groups); frozen once state exists.", JobConfig::positiveInt);
    public static final Option CHECKPOINT_INTERVAL = opt("checkpoint.interval", "10s", "Checkpoint interval (exactly-once state; sinks are idempotent).", JobConfig::duration);
    public static final Option CHECKPOINT_DIR = opt("checkpoint.dir", "", "Checkpoint directory URI; empty uses the cluster's execution.checkpointing.dir.", JobConfig::string);
    public static final Option STATE_BACKEND = opt("state.backend", "rocksdb", "State backend: rocksdb (production) or hashmap.", oneOf("rocksdb", "hashmap"));
    public static final Option STATE_TIMERS = opt("state.timer-service", "rocksdb", "Where RocksDB keeps timers: rocksdb (scales, asynchronous incremental snapshots) or heap (measured no faster here).", oneOf("heap", "rocksdb"));
    public static final Option STATE_INCREMENTAL = opt("state.incremental", "true", "Incremental RocksDB checkpoints.", JobConfig::bool);

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
    public Duration checkpointInterval() { return get(CHECKPOINT_INTERVAL); }
    public String checkpointDir() { return get(CHECKPOINT_DIR); }
    public String stateBackend() { return get(STATE_BACKEND); }
    public boolean incrementalCheckpoints() { return get(STATE_INCREMENTAL); }
    public String timerService() { return get(STATE_TIMERS); }

    /** Effective values as strings, shown in the Flink web UI as global job parameters. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Option o : OPTIONS.values()) m.put(o.key(), raw.getOrDefault(o.key(), o.defaultValue()));
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
