package io.rollcast.sinks;

import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Where and how the ClickHouse sink writes over HTTP: server URL, database, credentials, and the
 * async sink's batching, in-flight, retry and timeout options.
 *
 * @param maxRetries consecutive failed requests (5xx or I/O error, retried with exponential backoff
 *     up to {@link #MAX_BACKOFF_MS}) before the sink fails the job and Flink's restart strategy takes over
 */
public record ClickHouseSettings(String url, String database, String user, String password,
        int batchSize, long batchIntervalMs, int maxInFlight, int maxRetries, long requestTimeoutMs)
        implements Serializable {

    /** Backoff of the first retry; doubled per consecutive failure up to {@link #MAX_BACKOFF_MS}. */
    public static final long FIRST_BACKOFF_MS = 100;
    public static final long MAX_BACKOFF_MS = 5_000;

    public ClickHouseSettings {
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("ClickHouse URL must start with http:// or https:// but is '" + url + "'");
        }
        URI.create(url); // fails on a malformed URL
        if (url.contains("?")) throw new IllegalArgumentException("ClickHouse URL must not carry a query string: " + url);
        if (!url.endsWith("/")) url = url + "/";
        Identifiers.require("ClickHouse database", database);
        if (batchSize <= 0 || batchIntervalMs <= 0 || maxInFlight <= 0 || maxRetries < 0 || requestTimeoutMs <= 0) {
            throw new IllegalArgumentException("batch size, interval, in-flight and timeout must be positive, retries not negative");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** Defaults for batching and retries, for tests and tools. */
    public static ClickHouseSettings of(String url, String database, String user, String password) {
        return new ClickHouseSettings(url, database, user, password, 5000, 1000, 2, 10, 30_000);
    }

    /** The table the sink writes, {@code <database>.rollups}. */
    public String table() {
        return database + ".rollups";
    }

    /**
     * {@code <url>?database=..&compress=0&query=<sql>}: uncompressed responses (18.16 answers
     * ClickHouse-compressed requests with empty bodies), SQL in the query string, data in the body.
     */
    public URI uri(String sql) {
        return URI.create(url + "?compress=0&database=" + database + "&query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
    }

    /** The {@code Authorization: Basic ...} value, when a user is configured. */
    public Optional<String> authorization() {
        if (user.isEmpty()) return Optional.empty();
        return Optional.of("Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        return "ClickHouseSettings[url=" + url + ", database=" + database + ", user=" + user + ", batchSize=" + batchSize
                + ", batchIntervalMs=" + batchIntervalMs + ", maxInFlight=" + maxInFlight + ", maxRetries=" + maxRetries
                + ", requestTimeoutMs=" + requestTimeoutMs + "]";
    }
}
