package io.rollcast.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A real ClickHouse server (Debian's 18.16) on 127.0.0.1, injected by {@link RealServers}, with
 * helpers over plain HTTP: 18.16 returns empty bodies for the native-compressed responses that
 * JDBC drivers request, so everything here goes uncompressed through {@link HttpClient}.
 */
public final class ClickHouseServer {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ServerProcess process;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    ClickHouseServer(ServerProcess process) {
        this.process = process;
    }

    /** {@code http://127.0.0.1:<http port>/}. */
    public String httpUrl() {
        return "http://127.0.0.1:" + process.port(0) + "/";
    }

    /** The native protocol port (clickhouse-client). */
    public int tcpPort() {
        return process.port(1);
    }

    /** Creates a database with a unique name starting with {@code prefix}; returns its name. */
    public String freshDatabase(String prefix) {
        String name = ServerProcess.freshName(prefix);
        query("CREATE DATABASE " + name);
        return name;
    }

    /** Runs one statement and returns the response body (put {@code FORMAT ...} in the SQL for a format). */
    public String query(String sql) {
        return post(httpUrl() + "?compress=0", sql, sql);
    }

    /** Inserts JSON objects, one per line, with {@code INSERT INTO table FORMAT JSONEachRow}. */
    public void insertJsonEachRow(String table, List<String> jsonLines) {
        String sql = "INSERT INTO " + table + " FORMAT JSONEachRow";
        post(
                httpUrl() + "?compress=0&query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8),
                String.join("\n", jsonLines) + "\n",
                sql);
    }

    private String post(String url, String body, String sql) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "ClickHouse HTTP " + response.statusCode() + " for `" + sql + "`: " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("ClickHouse request failed: " + sql, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during ClickHouse request: " + sql, e);
        }
    }

    /**
     * Stops the server, keeping its data directory and port, to simulate an outage; {@link #start()}
     * brings it back. Other tests in the same JVM share this server: start it again before returning.
     */
    public void stop() {
        process.stopKeepingData();
    }

    /**
     * Kills the server with SIGKILL, as in a crash, keeping its data directory and port; {@link
     * #start()} brings it back. Unlike {@link #stop()} this is immediate even while clients keep
     * connections busy (a graceful ClickHouse 18.16 shutdown serves keep-alive clients for many seconds).
     */
    public void kill() {
        process.killKeepingData();
    }

    /** Starts the server again after {@link #stop()} or {@link #kill()}, on the same port with the same data. */
    public void start() {
        process.startAgain();
    }

    @Override
    public String toString() {
        return "ClickHouseServer[" + httpUrl() + "]";
    }
}
