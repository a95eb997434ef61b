package io.rollcast.fanout.config;

import io.rollcast.config.Config;
import io.rollcast.config.ConfigException;
import io.rollcast.config.Option;
import io.rollcast.config.OptionSet;
import io.rollcast.store.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The typed configuration of the fan-out server, on the config library ({@code io.rollcast.config}):
 * every option has a key, a type, a default and a one-line doc.
 *
 * <p>Sources, later ones winning: defaults, a YAML file (nested or dotted keys), environment
 * variables {@code ROLLCAST_FANOUT_<KEY>} (key upper-cased, {@code .} and {@code -} as {@code _},
 * e.g. {@code ROLLCAST_FANOUT_AUTH_SECRET}), then {@code --set key=value}. Unknown keys and bad values
 * stop start-up with a {@link ConfigException} naming the key. {@link #table()} prints the docs table.
 */
public final class FanoutConfig {
    public static final String ENV_PREFIX = "ROLLCAST_FANOUT_";
    /** Read by the log4j2 configuration (debug, info, warn), not by this class. */
    public static final String LOG_LEVEL_ENV = "ROLLCAST_FANOUT_LOG_LEVEL";

    public static final Option<String> SERVER_HOST = Option.of(
            "server.host",
            "host",
            "127.0.0.1",
            "Address to listen on (0.0.0.0 for all interfaces).",
            FanoutConfig::nonEmpty);
    public static final Option<Integer> SERVER_PORT = Option.integer(
            "server.port", "8080", 0, "HTTP port of SSE, WebSocket, snapshot, health, metrics and the dashboard.");
    public static final Option<Integer> SERVER_IO_THREADS =
            Option.integer("server.io-threads", "0", 0, "Netty event-loop threads; 0 = number of cores.");
    public static final Option<Integer> SERVER_BACKLOG = Option.integer(
            "server.backlog", "8192", 1, "Listen backlog (SO_BACKLOG); large so connection bursts are not dropped.");
    public static final Option<Integer> SERVER_MAX_REQUEST_BYTES = Option.integer(
            "server.max-request-bytes",
            "8192",
            1024,
            "Largest request line + headers (and body) accepted; larger gets 413/431.");
    public static final Option<Integer> SERVER_WRITE_BUFFER_LOW = Option.integer(
            "server.write-buffer-low", "32768", 1024, "Bytes queued in a connection below which it is writable again.");
    public static final Option<Integer> SERVER_WRITE_BUFFER_HIGH = Option.integer(
            "server.write-buffer-high",
            "65536",
            1024,
            "Bytes queued in a connection above which it is not writable (messages queue per client).");
    public static final Option<Integer> SERVER_SEND_BUFFER = Option.integer(
            "server.send-buffer",
            "0",
            0,
            "SO_SNDBUF of client connections in bytes; 0 keeps the kernel's autotuning (which may buffer megabytes for a stuck client).");
    public static final Option<Integer> SERVER_MAX_CONNECTIONS = Option.integer(
            "server.max-connections",
            "0",
            0,
            "Connections held at most; more are closed at once. 0 = the process's open-file limit minus 512, so Redis reconnects, store connections and class loading always find a file descriptor.");
    public static final Option<Duration> SSE_PING_INTERVAL = Option.positiveDuration(
            "sse.ping-interval",
            "15s",
            "A connection idle this long gets a ping (SSE comment, WebSocket ping); also the stall check period.");
    public static final Option<Duration> SSE_RETRY = Option.positiveDuration(
            "sse.retry", "2s", "Reconnect delay told to EventSource clients (SSE retry field).");
    public static final Option<Integer> CLIENT_MAX_PENDING = Option.integer(
            "client.max-pending",
            "256",
            1,
            "Messages queued per client while its socket is not writable; beyond, the queue is dropped and the client gets a resync.");
    public static final Option<Duration> CLIENT_MAX_STALL = Option.positiveDuration(
            "client.max-stall", "30s", "A client whose socket stays unwritable this long is disconnected.");
    public static final Option<String> AUTH_SECRET = Option.string(
                    "auth.secret",
                    "",
                    "HS256 key of the tokens (at least 32 bytes). Prefer the env variable ROLLCAST_FANOUT_AUTH_SECRET or auth.secret-file.")
            .secret();
    public static final Option<String> AUTH_SECRET_FILE = Option.string(
            "auth.secret-file",
            "",
            "File holding the HS256 key (trailing newline ignored); used when auth.secret is empty.");
    public static final Option<Duration> AUTH_CLOCK_SKEW = Option.duration(
            "auth.clock-skew",
            "30s",
            "Tolerance on exp, nbf and iat (a token issued later than now plus this is refused); an open stream is ended at exp plus this.");
    public static final Option<String> AUTH_COOKIE = Option.of(
            "auth.cookie",
            "cookie name",
            "rollcast_token",
            "Name of the cookie that may carry the token.",
            FanoutConfig::cookieName);
    public static final Option<List<String>> AUTH_ALLOWED_ORIGINS = Option.of(
            "auth.allowed-origins",
            "origins",
            "",
            "Comma-separated origins (scheme://host[:port]) besides the server's own (as in the Host header) whose pages may use the cookie token and open WebSocket streams; a cookie-authenticated request or any WebSocket upgrade with another Origin gets 403.",
            FanoutConfig::origins);
    public static final Option<String> AUTH_ISSUER = Option.string(
            "auth.issuer",
            "",
            "When set, a token's iss claim must equal it (e.g. the identity provider's issuer URL).");
    public static final Option<String> AUTH_AUDIENCE = Option.string(
            "auth.audience",
            "",
            "When set, a token's aud claim must contain it (e.g. the API identifier registered at the identity provider).");
    public static final Option<String> AUTH_TENANT_CLAIM = Option.nonEmpty(
            "auth.tenant-claim", "tenant", "Claim holding the tenant (a single name; never taken from sub).");
    public static final Option<String> AUTH_SPECS_CLAIM = Option.nonEmpty(
            "auth.specs-claim", "specs", "Claim holding the list of window specs the token may read (* for all).");
    public static final Option<String> AUTH_JWKS = Option.of(
            "auth.jwks",
            "file or https url",
            "",
            "The identity provider's public keys (JWKS): a file, or an https:// URL. RS256/ES256 tokens are verified with them, each key pinned to its algorithm; empty = HS256 only.",
            FanoutConfig::jwksLocation);
    public static final Option<String> AUTH_JWKS_CA_FILE = Option.string(
            "auth.jwks-ca-file",
            "",
            "PEM file of the CA certificates trusted for the auth.jwks URL (instead of the JVM's), e.g. a private identity provider's.");
    public static final Option<Duration> AUTH_JWKS_REFRESH = Option.positiveDuration(
            "auth.jwks-refresh",
            "1h",
            "A JWKS held this long is reloaded on its next use (keeps the held keys if that fails).");
    public static final Option<Duration> AUTH_JWKS_MIN_REFETCH = Option.duration(
            "auth.jwks-min-refetch",
            "30s",
            "A token with an unknown key id reloads the JWKS (key rotation), at most once per this period.");
    public static final Option<String> REDIS_URI = Option.url(
            "redis.uri",
            "redis://127.0.0.1:16379",
            "Redis with the delta channels and recovery streams.",
            "redis://",
            "rediss://");
    public static final Option<String> STORE_TYPE = Option.oneOf(
            "store.type",
            "postgres",
            "Snapshot store: postgres, clickhouse, or none (empty snapshots; deltas only).",
            "postgres",
            "clickhouse",
            "none");
    public static final Option<String> STORE_POSTGRES_URL = StoreOptions.POSTGRES_URL;
    public static final Option<String> STORE_POSTGRES_USER = StoreOptions.POSTGRES_USER;
    public static final Option<String> STORE_POSTGRES_PASSWORD = StoreOptions.POSTGRES_PASSWORD;
    public static final Option<String> STORE_POSTGRES_TABLE = StoreOptions.POSTGRES_TABLE;
    public static final Option<Integer> STORE_POSTGRES_POOL_SIZE =
            Option.integer("store.postgres.pool-size", "4", 1, "Postgres connections (HikariCP).");
    public static final Option<String> STORE_CLICKHOUSE_URL = StoreOptions.CLICKHOUSE_URL;
    public static final Option<String> STORE_CLICKHOUSE_DATABASE = StoreOptions.CLICKHOUSE_DATABASE;
    public static final Option<String> STORE_CLICKHOUSE_USER = StoreOptions.CLICKHOUSE_USER;
    public static final Option<String> STORE_CLICKHOUSE_PASSWORD = StoreOptions.CLICKHOUSE_PASSWORD;
    public static final Option<Integer> SNAPSHOT_THREADS = Option.integer(
            "snapshot.threads", "4", 1, "Threads reading snapshots (store queries and recovery streams).");
    public static final Option<Integer> SNAPSHOT_QUEUE = Option.integer(
            "snapshot.queue",
            "10000",
            1,
            "Snapshots waiting for a thread; beyond, new connections get 503 and an open session's snapshot (a resync) is retried with backoff.");
    public static final Option<Duration> SNAPSHOT_STREAM_OVERLAP = Option.duration(
            "snapshot.stream-overlap",
            "30s",
            "Recovery-stream entries this recent are merged into a snapshot (covers a store that lags Redis).");
    public static final Option<Duration> SNAPSHOT_DEFAULT_RANGE = Option.positiveDuration(
            "snapshot.default-range", "1h", "Range shown when a request has no from: the last this long, open-ended.");
    public static final Option<Duration> SNAPSHOT_MAX_RANGE =
            Option.positiveDuration("snapshot.max-range", "48h", "Largest from..to range (one channel per hour).");
    public static final Option<Integer> TENANT_MAX_STREAMS = Option.integer(
            "tenant.max-streams",
            "10000",
            0,
            "Open SSE/WebSocket streams per tenant; beyond, a new one gets 429 with Retry-After. 0 = no limit.");
    public static final Option<Integer> TENANT_MAX_SNAPSHOTS = Option.integer(
            "tenant.max-snapshots",
            "1000",
            0,
            "Snapshot and resume reads of one tenant queued or running; beyond, a new stream or snapshot request gets 429 and an open session's resync is retried with backoff. 0 = no limit.");
    public static final Option<Integer> TENANT_CONNECTIONS_PER_SECOND = Option.integer(
            "tenant.connections-per-second",
            "500",
            0,
            "New stream and snapshot requests per second per tenant (bursts up to one second's worth); beyond, 429 with Retry-After. 0 = no limit.");
    public static final Option<Duration> RESUME_STREAM_TTL = Option.positiveDuration(
            "resume.stream-ttl",
            "1h",
            "TTL of the recovery streams (the delta sink's); older resume positions may have expired and resync.");
    public static final Option<Integer> RESUME_MAX_REPLAY = Option.integer(
            "resume.max-replay",
            "10000",
            1,
            "Most entries replayed per channel on resume; beyond, the client gets a resync.");

    public static final Option<String> COLD_PATH = io.rollcast.store.StoreOptions.COLD_PATH;
    public static final Option<Duration> API_HOT_RETENTION = Option.positiveDuration(
            "api.hot-retention",
            "30d",
            "/v1/rollups reads windows older than now minus this from cold.path (Parquet) and newer ones from the store, merged by version over a 1-day overlap; match the store's retention (rollcast retention --older-than). Without cold.path, everything from the store.");
    public static final Option<Duration> API_MAX_RANGE = Option.positiveDuration(
            "api.max-range", "31d", "Largest from..to of one /v1/rollups request (longer: 400).");
    public static final Option<Integer> API_PAGE_SIZE =
            Option.integer("api.page-size", "1000", 1, "Rows per /v1/rollups page when the request has no limit.");
    public static final Option<Integer> API_MAX_PAGE_SIZE =
            Option.integer("api.max-page-size", "10000", 1, "Largest limit of a /v1/rollups page (larger: 400).");
    public static final Option<Integer> API_REQUESTS_PER_SECOND = Option.integer(
            "api.requests-per-second",
            "10",
            0,
            "/v1/rollups requests per second per tenant (bursts up to one second's worth); beyond, 429 with Retry-After. 0 = no limit.");

    /** Every option of the fan-out, in documentation order. */
    public static final OptionSet OPTIONS = new OptionSet(
            "fan-out",
            ENV_PREFIX,
            Set.of(LOG_LEVEL_ENV),
            List.of(
                    SERVER_HOST,
                    SERVER_PORT,
                    SERVER_IO_THREADS,
                    SERVER_BACKLOG,
                    SERVER_MAX_REQUEST_BYTES,
                    SERVER_WRITE_BUFFER_LOW,
                    SERVER_WRITE_BUFFER_HIGH,
                    SERVER_SEND_BUFFER,
                    SERVER_MAX_CONNECTIONS,
                    SSE_PING_INTERVAL,
                    SSE_RETRY,
                    CLIENT_MAX_PENDING,
                    CLIENT_MAX_STALL,
                    AUTH_SECRET,
                    AUTH_SECRET_FILE,
                    AUTH_CLOCK_SKEW,
                    AUTH_COOKIE,
                    AUTH_ALLOWED_ORIGINS,
                    AUTH_ISSUER,
                    AUTH_AUDIENCE,
                    AUTH_TENANT_CLAIM,
                    AUTH_SPECS_CLAIM,
                    AUTH_JWKS,
                    AUTH_JWKS_CA_FILE,
                    AUTH_JWKS_REFRESH,
                    AUTH_JWKS_MIN_REFETCH,
                    REDIS_URI,
                    STORE_TYPE,
                    STORE_POSTGRES_URL,
                    STORE_POSTGRES_USER,
                    STORE_POSTGRES_PASSWORD,
                    STORE_POSTGRES_TABLE,
                    STORE_POSTGRES_POOL_SIZE,
                    STORE_CLICKHOUSE_URL,
                    STORE_CLICKHOUSE_DATABASE,
                    STORE_CLICKHOUSE_USER,
                    STORE_CLICKHOUSE_PASSWORD,
                    SNAPSHOT_THREADS,
                    SNAPSHOT_QUEUE,
                    SNAPSHOT_STREAM_OVERLAP,
                    SNAPSHOT_DEFAULT_RANGE,
                    SNAPSHOT_MAX_RANGE,
                    TENANT_MAX_STREAMS,
                    TENANT_MAX_SNAPSHOTS,
                    TENANT_CONNECTIONS_PER_SECOND,
                    RESUME_STREAM_TTL,
                    RESUME_MAX_REPLAY,
                    COLD_PATH,
                    API_HOT_RETENTION,
                    API_MAX_RANGE,
                    API_PAGE_SIZE,
                    API_MAX_PAGE_SIZE,
                    API_REQUESTS_PER_SECOND));

    private final Config config;
    private final String authSecret;

    private FanoutConfig(Config config) {
        this.config = config;
        String secret = config.get(AUTH_SECRET);
        String secretFile = config.get(AUTH_SECRET_FILE);
        if (secret.isEmpty() && !secretFile.isEmpty()) {
            try {
                secret = Files.readString(Path.of(secretFile), StandardCharsets.UTF_8)
                        .strip();
            } catch (IOException e) {
                throw new ConfigException("config key 'auth.secret-file' = '" + secretFile
                        + "': cannot read the secret file: " + e.getMessage());
            }
        }
        if (secret.isEmpty() && config.get(AUTH_JWKS).isEmpty()) {
            throw new ConfigException("config key 'auth.secret' is empty: set " + envName("auth.secret")
                    + " or auth.secret-file (or auth.jwks for identity-provider tokens only)");
        }
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("config key 'auth.secret' must be at least 32 bytes (HS256 needs a 256-bit key)");
        }
        this.authSecret = secret;
        if (writeBufferHigh() < writeBufferLow()) {
            throw new ConfigException(
                    "config key 'server.write-buffer-high' must not be below server.write-buffer-low");
        }
    }

    /** Every option, in documentation order. */
    public static List<Option<?>> options() {
        return OPTIONS.options();
    }

    /** The defaults, with {@code overrides} (key to value) applied; for tests. */
    public static FanoutConfig of(Map<String, String> overrides) {
        return new FanoutConfig(OPTIONS.of(overrides));
    }

    /** Loads {@code yaml} (may be null), then {@code env}, then {@code sets}. */
    public static FanoutConfig load(Path yaml, Map<String, String> env, Map<String, String> sets) {
        return new FanoutConfig(OPTIONS.load(yaml, env, sets));
    }

    /** {@code ROLLCAST_FANOUT_} + the key upper-cased with {@code .} and {@code -} as {@code _}. */
    public static String envName(String key) {
        return OPTIONS.envName(key);
    }

    /** The Markdown table of every option (key, env, type, default, meaning) for docs/fanout.md. */
    public static String table() {
        return OPTIONS.markdownTable();
    }

    private static String nonEmpty(String s) {
        if (s.isBlank()) throw new IllegalArgumentException("must not be empty");
        return s.trim();
    }

    private static String cookieName(String s) {
        if (!s.trim().matches("[A-Za-z0-9_-]{1,64}"))
            throw new IllegalArgumentException("must match [A-Za-z0-9_-]{1,64}");
        return s.trim();
    }

    private static final Pattern ORIGIN =
            Pattern.compile("https?://[a-z0-9.-]+(:\\d{1,5})?|https?://\\[[0-9a-f:.]+\\](:\\d{1,5})?");

    /** A comma-separated list of origins {@code scheme://host[:port]} (http or https, no path), lower-cased. */
    private static List<String> origins(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String o = part.trim().toLowerCase(Locale.ROOT);
            if (o.endsWith("/")) o = o.substring(0, o.length() - 1); // an Origin header never has the slash
            if (o.isEmpty()) continue;
            if (!ORIGIN.matcher(o).matches()) {
                throw new IllegalArgumentException("'" + part.trim()
                        + "' is not an origin: scheme://host[:port] with http or https, no path or '*'");
            }
            out.add(o);
        }
        return List.copyOf(out);
    }

    /** A JWKS location: empty, an {@code https://} URL, or a file path (no other scheme). */
    private static String jwksLocation(String s) {
        String v = s.trim();
        if (v.contains("://") && !v.startsWith("https://"))
            throw new IllegalArgumentException("must be a file path or an https:// URL");
        if (v.startsWith("https://")) {
            try {
                java.net.URI u = java.net.URI.create(v);
                if (u.getHost() == null) throw new IllegalArgumentException("has no host");
                if (u.getRawUserInfo() != null) // it would be logged; a JWKS is public anyway
                throw new IllegalArgumentException("has credentials; a JWKS URL must not");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not a URL: " + e.getMessage());
            }
        }
        return v;
    }

    /** The HS256 key: {@code auth.secret}, else the content of {@code auth.secret-file}; empty when only a JWKS is used. */
    public String authSecret() {
        return authSecret;
    }

    public String host() {
        return config.get(SERVER_HOST);
    }

    public int port() {
        return config.get(SERVER_PORT);
    }

    public int ioThreads() {
        return config.get(SERVER_IO_THREADS);
    }

    public int backlog() {
        return config.get(SERVER_BACKLOG);
    }

    public int maxRequestBytes() {
        return config.get(SERVER_MAX_REQUEST_BYTES);
    }

    public int writeBufferLow() {
        return config.get(SERVER_WRITE_BUFFER_LOW);
    }

    public int writeBufferHigh() {
        return config.get(SERVER_WRITE_BUFFER_HIGH);
    }

    public int sendBuffer() {
        return config.get(SERVER_SEND_BUFFER);
    }

    public int maxConnections() {
        return config.get(SERVER_MAX_CONNECTIONS);
    }

    public Duration pingInterval() {
        return config.get(SSE_PING_INTERVAL);
    }

    public Duration sseRetry() {
        return config.get(SSE_RETRY);
    }

    public int maxPending() {
        return config.get(CLIENT_MAX_PENDING);
    }

    public Duration maxStall() {
        return config.get(CLIENT_MAX_STALL);
    }

    public Duration clockSkew() {
        return config.get(AUTH_CLOCK_SKEW);
    }

    public String authCookie() {
        return config.get(AUTH_COOKIE);
    }

    public List<String> allowedOrigins() {
        return config.get(AUTH_ALLOWED_ORIGINS);
    }

    /** The required issuer, if {@code auth.issuer} is set. */
    public java.util.Optional<String> issuer() {
        return java.util.Optional.of(config.get(AUTH_ISSUER)).filter(v -> !v.isEmpty());
    }

    /** The required audience, if {@code auth.audience} is set. */
    public java.util.Optional<String> audience() {
        return java.util.Optional.of(config.get(AUTH_AUDIENCE)).filter(v -> !v.isEmpty());
    }

    public String tenantClaim() {
        return config.get(AUTH_TENANT_CLAIM);
    }

    public String specsClaim() {
        return config.get(AUTH_SPECS_CLAIM);
    }

    /** The JWKS file or URL, if {@code auth.jwks} is set. */
    public java.util.Optional<String> jwks() {
        return java.util.Optional.of(config.get(AUTH_JWKS)).filter(v -> !v.isEmpty());
    }

    public java.util.Optional<Path> jwksCaFile() {
        return java.util.Optional.of(config.get(AUTH_JWKS_CA_FILE))
                .filter(v -> !v.isEmpty())
                .map(Path::of);
    }

    public Duration jwksRefresh() {
        return config.get(AUTH_JWKS_REFRESH);
    }

    public Duration jwksMinRefetch() {
        return config.get(AUTH_JWKS_MIN_REFETCH);
    }

    public String redisUri() {
        return config.get(REDIS_URI);
    }

    public String storeType() {
        return config.get(STORE_TYPE);
    }

    public String postgresUrl() {
        return config.get(STORE_POSTGRES_URL);
    }

    public String postgresUser() {
        return config.get(STORE_POSTGRES_USER);
    }

    public String postgresPassword() {
        return config.get(STORE_POSTGRES_PASSWORD);
    }

    public String postgresTable() {
        return config.get(STORE_POSTGRES_TABLE);
    }

    public int postgresPoolSize() {
        return config.get(STORE_POSTGRES_POOL_SIZE);
    }

    public String clickhouseUrl() {
        return config.get(STORE_CLICKHOUSE_URL);
    }

    public String clickhouseDatabase() {
        return config.get(STORE_CLICKHOUSE_DATABASE);
    }

    public String clickhouseUser() {
        return config.get(STORE_CLICKHOUSE_USER);
    }

    public String clickhousePassword() {
        return config.get(STORE_CLICKHOUSE_PASSWORD);
    }

    public int snapshotThreads() {
        return config.get(SNAPSHOT_THREADS);
    }

    public int snapshotQueue() {
        return config.get(SNAPSHOT_QUEUE);
    }

    public Duration streamOverlap() {
        return config.get(SNAPSHOT_STREAM_OVERLAP);
    }

    public Duration defaultRange() {
        return config.get(SNAPSHOT_DEFAULT_RANGE);
    }

    public Duration maxRange() {
        return config.get(SNAPSHOT_MAX_RANGE);
    }

    public int tenantMaxStreams() {
        return config.get(TENANT_MAX_STREAMS);
    }

    /** The cold path's root, empty when off. */
    public String coldPath() {
        return config.get(COLD_PATH);
    }

    public Duration apiHotRetention() {
        return config.get(API_HOT_RETENTION);
    }

    public Duration apiMaxRange() {
        return config.get(API_MAX_RANGE);
    }

    public int apiPageSize() {
        return config.get(API_PAGE_SIZE);
    }

    public int apiMaxPageSize() {
        return config.get(API_MAX_PAGE_SIZE);
    }

    public int apiRequestsPerSecond() {
        return config.get(API_REQUESTS_PER_SECOND);
    }

    public int tenantMaxSnapshots() {
        return config.get(TENANT_MAX_SNAPSHOTS);
    }

    public int tenantConnectionsPerSecond() {
        return config.get(TENANT_CONNECTIONS_PER_SECOND);
    }

    public Duration streamTtl() {
        return config.get(RESUME_STREAM_TTL);
    }

    public int maxReplay() {
        return config.get(RESUME_MAX_REPLAY);
    }

    /** Effective values as text with secrets (and URI passwords) masked: what the server logs at start. */
    public Map<String, String> shown() {
        return config.shown();
    }

    @Override
    public String toString() {
        return "FanoutConfig" + shown();
    }
}
