package io.rollcast.sinks;

import io.rollcast.store.ClickHouseEndpoint;
import java.io.Serializable;

/**
 * Where and how the ClickHouse sink writes over HTTP: server URL, database, credentials, and the
 * async sink's batching, in-flight, retry and timeout options.
 *
 * @param maxRetries consecutive failed requests (5xx or I/O error, retried with exponential backoff
 *     up to {@link #MAX_BACKOFF_MS}) before the sink fails the job and Flink's restart strategy takes over
 */
public record ClickHouseSettings(
        String url,
        String database,
        String user,
        String password,
        int batchSize,
        long batchIntervalMs,
        int maxInFlight,
        int maxRetries,
        long requestTimeoutMs)
        implements Serializable {

    /** Backoff of the first retry; doubled per consecutive failure up to {@link #MAX_BACKOFF_MS}. */
    public static final long FIRST_BACKOFF_MS = 100;

    public static final long MAX_BACKOFF_MS = 5_000;

    public ClickHouseSettings {
        ClickHouseEndpoint e = new ClickHouseEndpoint(url, database, user, password); // validates
        url = e.url();
        user = e.user();
        password = e.password();
        if (batchSize <= 0 || batchIntervalMs <= 0 || maxInFlight <= 0 || maxRetries < 0 || requestTimeoutMs <= 0) {
            throw new IllegalArgumentException(
                    "batch size, interval, in-flight and timeout must be positive, retries not negative");
        }
    }

    /** Defaults for batching and retries, for tests and tools. */
    public static ClickHouseSettings of(String url, String database, String user, String password) {
        return new ClickHouseSettings(url, database, user, password, 5000, 1000, 2, 10, 30_000);
    }

    /** Where the server is and who we are there. */
    public ClickHouseEndpoint endpoint() {
        return new ClickHouseEndpoint(url, database, user, password);
    }

    /** The table the sink writes, {@code <database>.rollups}. */
    public String table() {
        return endpoint().table();
    }

    @Override
    public String toString() {
        return "ClickHouseSettings[url=" + url + ", database=" + database + ", user=" + user + ", batchSize="
                + batchSize
                + ", batchIntervalMs=" + batchIntervalMs + ", maxInFlight=" + maxInFlight + ", maxRetries=" + maxRetries
                + ", requestTimeoutMs=" + requestTimeoutMs + "]";
    }
}
