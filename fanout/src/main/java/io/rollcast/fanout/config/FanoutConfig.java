package io.rollcast.fanout.config;

import io.rollcast.model.Durations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The typed configuration of the fan-out server: every option has a key, a default and a one-line doc.
 *
 * <p>Sources, later ones winning: defaults, a YAML file (nested or dotted keys), environment
 * variables {@code ROLLCAST_FANOUT_<KEY>} (key upper-cased, {@code .} and {@code -} as {@code _},
 * e.g. {@code ROLLCAST_FANOUT_AUTH_SECRET}), then {@code --set key=value}. Unknown keys and bad values
 * stop start-up with a {@link ConfigException} naming the key. {@link #table()} prints the docs table.
 */
public record FanoutConfig(
        String host,
        int port,
        int ioThreads,
        int backlog,
        int maxRequestBytes,
        int writeBufferLow,
        int writeBufferHigh,
        int sendBuffer,
        int maxConnections,
        Duration pingInterval,
        Duration sseRetry,
        int maxPending,
        Duration maxStall,
        String authSecret,
        Duration clockSkew,
        String authCookie,
        List<String> allowedOrigins,
        String redisUri,
        String storeType,
        String postgresUrl,
        String postgresUser,
        String postgresPassword,
        String postgresTable,
        int postgresPoolSize,
        String clickhouseUrl,
        String clickhouseDatabase,
        String clickhouseUser,
        String clickhousePassword,
        int snapshotThreads,
        int snapshotQueue,
        Duration streamOverlap,
        Duration defaultRange,
        Duration maxRange,
        Duration streamTtl,
        int maxReplay) {

    /** One documented option. */
    public record Option(String key, String defaultValue, String doc) {}

    public static final String ENV_PREFIX = "ROLLCAST_FANOUT_";
    /** Read by the log4j2 configuration (debug, info, warn), not by this class. */
    public static final String LOG_LEVEL_ENV = "ROLLCAST_FANOUT_LOG_LEVEL";

    private static final Map<String, Option> OPTIONS = new LinkedHashMap<>();

    private static void opt(String key, String def, String doc) {
        OPTIONS.put(key, new Option(key, def, doc));
    }

    static {
        opt("server.host", "127.0.0.1", "Address to listen on (0.0.0.0 for all interfaces).");
        opt("server.port", "8080", "HTTP port of SSE, WebSocket, snapshot, health, metrics and the dashboard.");
        opt("server.io-threads", "0", "Netty event-loop threads; 0 = number of cores.");
        opt("server.backlog", "8192", "Listen backlog (SO_BACKLOG); large so connection bursts are not dropped.");
        opt("server.max-request-bytes", "8192", "Largest request line + headers (and body) accepted; larger gets 413/431.");
        opt("server.write-buffer-low", "32768", "Bytes queued in a connection below which it is writable again.");
        opt("server.write-buffer-high", "65536", "Bytes queued in a connection above which it is not writable (messages queue per client).");
        opt("server.send-buffer", "0", "SO_SNDBUF of client connections in bytes; 0 keeps the kernel's autotuning (which may buffer megabytes for a stuck client).");
        opt("server.max-connections", "0", "Connections held at most; more are closed at once. 0 = the process's open-file limit minus 512, so Redis reconnects, store connections and class loading always find a file descriptor.");
        opt("sse.ping-interval", "15s", "A connection idle this long gets a ping (SSE comment, WebSocket ping); also the stall check period.");
        opt("sse.retry", "2s", "Reconnect delay told to EventSource clients (SSE retry field).");
        opt("client.max-pending", "256", "Messages queued per client while its socket is not writable; beyond, the queue is dropped and the client gets a resync.");
        opt("client.max-stall", "30s", "A client whose socket stays unwritable this long is disconnected.");
        opt("auth.secret", "", "HS256 key of the tokens (at least 32 bytes). Prefer the env variable ROLLCAST_FANOUT_AUTH_SECRET or auth.secret-file.");
        opt("auth.secret-file", "", "File holding the HS256 key (trailing newline ignored); used when auth.secret is empty.");
        opt("auth.clock-skew", "30s", "Tolerance on exp, nbf and iat (a token issued later than now plus this is refused); an open stream is ended at exp plus this.");
        opt("auth.cookie", "rollcast_token", "Name of the cookie that may carry the token.");
        opt("auth.allowed-origins", "", "Comma-separated origins (scheme://host[:port]) besides the server's own (as in the Host header) whose pages may use the cookie token; a cookie-authenticated request or WebSocket upgrade with another Origin gets 403.");
        opt("redis.uri", "redis://127.0.0.1:16379", "Redis with the delta channels and recovery streams.");
        opt("store.type", "postgres", "Snapshot store: postgres, clickhouse, or none (empty snapshots; deltas only).");
        opt("store.postgres.url", "jdbc:postgresql://127.0.0.1:15432/postgres", "JDBC URL of the Postgres store.");
        opt("store.postgres.user", "postgres", "Postgres user.");
        opt("store.postgres.password", "", "Postgres password.");
        opt("store.postgres.table", "rollups", "Rollup table in Postgres.");
        opt("store.postgres.pool-size", "4", "Postgres connections (HikariCP).");
        opt("store.clickhouse.url", "http://127.0.0.1:18123/", "ClickHouse HTTP URL.");
        opt("store.clickhouse.database", "default", "ClickHouse database holding the rollups table.");
        opt("store.clickhouse.user", "", "ClickHouse user (empty: none).");
        opt("store.clickhouse.password", "", "ClickHouse password.");
        opt("snapshot.threads", "4", "Threads reading snapshots (store queries and recovery streams).");
        opt("snapshot.queue", "10000", "Snapshots waiting for a thread; beyond, new connections get 503 and an open session's snapshot (a resync) is retried with backoff.");
        opt("snapshot.stream-overlap", "30s", "Recovery-stream entries this recent are merged into a snapshot (covers a store that lags Redis).");
        opt("snapshot.default-range", "1h", "Range shown when a request has no from: the last this long, open-ended.");
        opt("snapshot.max-range", "48h", "Largest from..to range (one channel per hour).");
        opt("resume.stream-ttl", "1h", "TTL of the recovery streams (the delta sink's); older resume positions may have expired and resync.");
        opt("resume.max-replay", "10000", "Most entries replayed per channel on resume; beyond, the client gets a resync.");
    }

    /** Every option, in documentation order. */
    public static List<Option> options() {
        return List.copyOf(OPTIONS.values());
    }

    /** The defaults, with {@code overrides} (key to value) applied; for tests. */
    public static FanoutConfig of(Map<String, String> overrides) {
        Map<String, String> raw = new LinkedHashMap<>();
        overrides.forEach((k, v) -> put(raw, k, v, "override"));
        return build(raw);
    }

    /** Loads {@code yaml} (may be null), then {@code env}, then {@code sets}. */
    public static FanoutConfig load(Path yaml, Map<String, String> env, Map<String, String> sets) {
        Map<String, String> raw = new LinkedHashMap<>();
        if (yaml != null) {
            try {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(yaml));
                if (root != null && !root.isNull()) {
                    if (!root.isObject()) throw new ConfigException("config file " + yaml + " must be a YAML mapping");
                    flatten("", root, raw, yaml.toString());
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + yaml + ": " + e.getMessage());
            }
        }
        for (Option o : OPTIONS.values()) {
            String v = env.get(envName(o.key()));
            if (v != null) raw.put(o.key(), v);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().startsWith(ENV_PREFIX) && !e.getKey().equals(LOG_LEVEL_ENV) && OPTIONS.values().stream().noneMatch(o -> envName(o.key()).equals(e.getKey()))) {
                throw new ConfigException("unknown config environment variable '" + e.getKey() + "'");
            }
        }
        sets.forEach((k, v) -> put(raw, k, v, "--set"));
        return build(raw);
    }

    /** {@code ROLLCAST_FANOUT_} + the key upper-cased with {@code .} and {@code -} as {@code _}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void put(Map<String, String> raw, String key, String value, String source) {
        if (!OPTIONS.containsKey(key)) {
            throw new ConfigException("unknown config key '" + key + "' (" + source + "); known keys: " + String.join(", ", OPTIONS.keySet()));
        }
        raw.put(key, value);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, String source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out, source);
            } else {
                put(out, key, e.getValue().isNull() ? "" : e.getValue().asText(), source);
            }
        }
    }

    /** Parses one value, wrapping any failure in a message naming the key. */
    private static <T> T parse(Map<String, String> raw, String key, Function<String, T> parser) {
        String v = raw.getOrDefault(key, OPTIONS.get(key).defaultValue());
        try {
            return parser.apply(v.trim());
        } catch (RuntimeException e) {
            throw new ConfigException("config key '" + key + "' = '" + v + "': " + e.getMessage());
        }
    }

    /** Parses {@code 100ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d} ({@link Durations}). */
    public static Duration duration(String s) {
        return Durations.parse(s);
    }

    private static Function<String, Duration> positiveDuration() {
        return s -> {
            Duration d = duration(s);
            if (d.isZero()) throw new IllegalArgumentException("must be positive");
            return d;
        };
    }

    private static Function<String, Integer> intAtLeast(int min) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer");
            }
            if (v < min) throw new IllegalArgumentException("must be at least " + min);
            return v;
        };
    }

    private static Function<String, String> oneOf(String... values) {
        return s -> {
            if (!List.of(values).contains(s)) throw new IllegalArgumentException("must be one of " + String.join(", ", values));
            return s;
        };
    }

    private static Function<String, String> prefixed(String... prefixes) {
        return s -> {
            for (String p : prefixes) if (s.startsWith(p)) return s;
            throw new IllegalArgumentException("must start with " + String.join(" or ", prefixes));
        };
    }

    private static final Pattern ORIGIN = Pattern.compile("https?://[a-z0-9.-]+(:\\d{1,5})?|https?://\\[[0-9a-f:.]+\\](:\\d{1,5})?");

    /** A comma-separated list of origins {@code scheme://host[:port]} (http or https, no path), lower-cased. */
    private static List<String> origins(String s) {
        List<String> out = new java.util.ArrayList<>();
        for (String part : s.split(",")) {
            String o = part.trim().toLowerCase(Locale.ROOT);
            if (o.endsWith("/")) o = o.substring(0, o.length() - 1); // an Origin header never has the slash
            if (o.isEmpty()) continue;
            if (!ORIGIN.matcher(o).matches()) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not an origin: scheme://host[:port] with http or https, no path or '*'");
            }
            out.add(o);
        }
        return List.copyOf(out);
    }

    private static String identifier(String s) {
        if (!s.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) throw new IllegalArgumentException("must be an identifier [A-Za-z_][A-Za-z0-9_]*");
        return s;
    }

    private static FanoutConfig build(Map<String, String> raw) {
        String secret = parse(raw, "auth.secret", s -> s);
        String secretFile = parse(raw, "auth.secret-file", s -> s);
        if (secret.isEmpty() && !secretFile.isEmpty()) {
            secret = parse(raw, "auth.secret-file", f -> {
                try {
                    return Files.readString(Path.of(f), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read the secret file: " + e.getMessage());
                }
            });
        }
        if (secret.isEmpty()) {
            throw new ConfigException("config key 'auth.secret' is empty: set " + envName("auth.secret") + " or auth.secret-file");
        }
        if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("config key 'auth.secret' must be at least 32 bytes (HS256 needs a 256-bit key)");
        }
        int low = parse(raw, "server.write-buffer-low", intAtLeast(1024));
        int high = parse(raw, "server.write-buffer-high", intAtLeast(1024));
        if (high < low) throw new ConfigException("config key 'server.write-buffer-high' must not be below server.write-buffer-low");
        return new FanoutConfig(
                parse(raw, "server.host", s -> {
                    if (s.isEmpty()) throw new IllegalArgumentException("must not be empty");
                    return s;
                }),
                parse(raw, "server.port", intAtLeast(0)),
                parse(raw, "server.io-threads", intAtLeast(0)),
                parse(raw, "server.backlog", intAtLeast(1)),
                parse(raw, "server.max-request-bytes", intAtLeast(1024)),
                low,
                high,
                parse(raw, "server.send-buffer", intAtLeast(0)),
                parse(raw, "server.max-connections", intAtLeast(0)),
                parse(raw, "sse.ping-interval", positiveDuration()),
                parse(raw, "sse.retry", positiveDuration()),
                parse(raw, "client.max-pending", intAtLeast(1)),
                parse(raw, "client.max-stall", positiveDuration()),
                secret,
                parse(raw, "auth.clock-skew", FanoutConfig::duration),
                parse(raw, "auth.cookie", s -> {
                    if (!s.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("must match [A-Za-z0-9_-]{1,64}");
                    return s;
                }),
                parse(raw, "auth.allowed-origins", FanoutConfig::origins),
                parse(raw, "redis.uri", prefixed("redis://", "rediss://")),
                parse(raw, "store.type", oneOf("postgres", "clickhouse", "none")),
                parse(raw, "store.postgres.url", prefixed("jdbc:postgresql://")),
                parse(raw, "store.postgres.user", s -> s),
                parse(raw, "store.postgres.password", s -> s),
                parse(raw, "store.postgres.table", FanoutConfig::identifier),
                parse(raw, "store.postgres.pool-size", intAtLeast(1)),
                parse(raw, "store.clickhouse.url", prefixed("http://", "https://")),
                parse(raw, "store.clickhouse.database", FanoutConfig::identifier),
                parse(raw, "store.clickhouse.user", s -> s),
                parse(raw, "store.clickhouse.password", s -> s),
                parse(raw, "snapshot.threads", intAtLeast(1)),
                parse(raw, "snapshot.queue", intAtLeast(1)),
                parse(raw, "snapshot.stream-overlap", FanoutConfig::duration),
                parse(raw, "snapshot.default-range", positiveDuration()),
                parse(raw, "snapshot.max-range", positiveDuration()),
                parse(raw, "resume.stream-ttl", positiveDuration()),
                parse(raw, "resume.max-replay", intAtLeast(1)));
    }

    /** The Markdown table of every option (key, default, meaning) for docs/fanout.md. */
    public static String table() {
        StringBuilder sb = new StringBuilder("| key | env | default | meaning |\n|---|---|---|---|\n");
        for (Option o : OPTIONS.values()) {
            sb.append("| `").append(o.key()).append("` | `").append(envName(o.key())).append("` | `")
                    .append(o.defaultValue().isEmpty() ? "\"\"" : o.defaultValue()).append("` | ").append(o.doc()).append(" |\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "FanoutConfig[" + host + ":" + port + ", redis=" + redisUri + ", store=" + storeType + ", auth.secret=***]";
    }
}
