package io.rollcast.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The one ClickHouse HTTP client: the sink's inserts, the schema migrations and the range queries
 * all go through it. Uses the JDK's {@link HttpClient}; thread-safe.
 */
public final class ClickHouseHttp {
    private final ClickHouseEndpoint endpoint;
    private final HttpClient http;

    public ClickHouseHttp(ClickHouseEndpoint endpoint) {
        this.endpoint = endpoint;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public ClickHouseEndpoint endpoint() {
        return endpoint;
    }

    /** A request of {@code sql} in the query string and {@code body} as data (the database named as the default). */
    public HttpRequest.Builder request(String sql, HttpRequest.BodyPublisher body, Duration timeout) {
        return request(endpoint.uri(sql), body, timeout);
    }

    private HttpRequest.Builder request(URI uri, HttpRequest.BodyPublisher body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).POST(body);
        endpoint.authorization().ifPresent(a -> b.header("Authorization", a));
        return b;
    }

    /** Sends {@code body} (e.g. RowBinary rows) for {@code sql} without waiting; the caller classifies the answer. */
    public CompletableFuture<HttpResponse<String>> sendAsync(String sql, byte[] body, Duration timeout) {
        HttpRequest r = request(sql, HttpRequest.BodyPublishers.ofByteArray(body), timeout)
                .header("Content-Type", "application/octet-stream")
                .build();
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Runs {@code sql} with {@code body} as data and returns the answer; any status but 200 throws, quoting the server. */
    public String execute(String sql, String body, Duration timeout) {
        return send(endpoint.uri(sql), body, timeout);
    }

    /** Runs {@code sql} without naming a default database (to create that database). */
    public String executeWithoutDatabase(String sql, Duration timeout) {
        return send(
                URI.create(endpoint.url() + "?compress=0&query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)),
                "",
                timeout);
    }

    private String send(URI uri, String body, Duration timeout) {
        try {
            HttpResponse<String> r = http.send(
                    request(uri, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8), timeout)
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("ClickHouse at " + endpoint.url() + " answered HTTP " + r.statusCode()
                        + ": " + r.body().strip());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("ClickHouse at " + endpoint.url() + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a ClickHouse request", e);
        }
    }

    /** Runs the SELECT {@code sql} (sent as the body) and streams the answer; the caller closes it. */
    public InputStream query(String sql, Duration timeout) {
        try {
            HttpResponse<InputStream> r = http.send(
                    request(endpoint.uri(), HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8), timeout)
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                try (InputStream body = r.body()) {
                    throw new IllegalStateException("ClickHouse query failed (HTTP " + r.statusCode() + "): "
                            + new String(body.readAllBytes(), StandardCharsets.UTF_8).strip());
                }
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("ClickHouse query failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a ClickHouse query", e);
        }
    }
}
