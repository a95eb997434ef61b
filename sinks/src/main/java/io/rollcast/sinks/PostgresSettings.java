package io.rollcast.sinks;

import io.rollcast.model.Identifiers;
import java.io.Serializable;

/**
 * Where and how the Postgres sink writes: JDBC URL, credentials, table, and the JDBC batching and
 * retry options.
 *
 * @param batchSize rows per JDBC batch; a full batch is flushed at once
 * @param batchIntervalMs a non-empty batch is flushed at least this often; 0 disables the timer
 * @param maxRetries attempts after a failed batch (reconnecting if needed, sleeping 1 s, 2 s, ...)
 *     before the sink fails the job and Flink's restart strategy takes over
 */
public record PostgresSettings(
        String url, String user, String password, String table, int batchSize, long batchIntervalMs, int maxRetries)
        implements Serializable {

    public PostgresSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("Postgres URL must start with jdbc:postgresql: but is '" + url + "'");
        }
        Identifiers.require("Postgres table", table);
        if (batchSize <= 0 || batchIntervalMs < 0 || maxRetries < 0) {
            throw new IllegalArgumentException("batch size must be positive, interval and retries not negative");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** Defaults for batching and retries, for tests and tools. */
    public static PostgresSettings of(String url, String user, String password, String table) {
        return new PostgresSettings(url, user, password, table, 1000, 200, 5);
    }

    @Override
    public String toString() {
        return "PostgresSettings[url=" + url + ", user=" + user + ", table=" + table + ", batchSize=" + batchSize
                + ", batchIntervalMs=" + batchIntervalMs + ", maxRetries=" + maxRetries + "]";
    }
}
