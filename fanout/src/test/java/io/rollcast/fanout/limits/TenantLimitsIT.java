package io.rollcast.fanout.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Per-tenant limits on a real server: open streams, new connections per second, snapshot reads in
 * flight (against a real Postgres whose rollups view takes 0.5 s a query) and the fair snapshot queue.
 * Each refusal is a 429 with {@code Retry-After} and a short JSON body; other tenants are unaffected.
 */
@ExtendWith(RealServers.class)
@Timeout(120)
class TenantLimitsIT {
    private static final String SPEC = "tumbling-1m";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpRequest snapshotRequest(FanoutServer s, String tenant) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/snapshot?spec=" + SPEC))
                .header("Authorization", "Bearer " + TestServer.token(tenant, SPEC))
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static HttpResponse<String> snapshot(FanoutServer s, String tenant) throws Exception {
        return HTTP.send(snapshotRequest(s, tenant), HttpResponse.BodyHandlers.ofString());
    }

    /** The snapshot reads waiting for a thread, from /metrics. */
    private static int queued(FanoutServer s) throws Exception {
        String text = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : text.split("\n")) {
            if (line.startsWith("rollcast_fanout_snapshot_queue "))
                return Integer.parseInt(line.substring(31).trim());
        }
        throw new AssertionError("no rollcast_fanout_snapshot_queue in /metrics");
    }

    private static void assertLimited(HttpResponse<String> r, String messagePart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        assertThat(Integer.parseInt(r.headers().firstValue("retry-after").get()))
                .isPositive();
        assertThat(r.body())
                .startsWith("{\"error\":\"too_many_requests\"")
                .contains(messagePart)
                .hasSizeLessThan(200)
                .doesNotContain("Exception");
    }

    @Test
    void aTenantBeyondItsStreamLimitGets429WithRetryAfterWhileOtherTenantsConnect(RedisServer redis) throws Exception {
        try (FanoutServer server = TestServer.start(redis.uri().toString(), Map.of("tenant.max-streams", "2"))) {
            String path = "/v1/stream?spec=" + SPEC + "&access_token=";
            SseClient a1 = SseClient.open(server.port(), path + TestServer.token("alpha", SPEC));
            SseClient a2 = SseClient.open(server.port(), path + TestServer.token("alpha", SPEC));
            assertThat(a1.status(5_000)).isEqualTo(200);
            assertThat(a2.status(5_000)).isEqualTo(200);
            HttpResponse<String> third = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + server.port() + path + TestServer.token("alpha", SPEC)))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertLimited(third, "tenant.max-streams 2");
            assertThat(third.headers().firstValue("retry-after")).hasValue("5");
            HttpResponse<String> ws = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/ws?spec=" + SPEC
                                    + "&access_token=" + TestServer.token("alpha", SPEC)))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertLimited(ws, "open streams");
            try (SseClient b = SseClient.open(server.port(), path + TestServer.token("beta", SPEC))) {
                assertThat(b.status(5_000)).as("another tenant").isEqualTo(200);
            }
            a1.close();
            long end = System.currentTimeMillis() + 5_000;
            int status = 0;
            while (System.currentTimeMillis() < end) {
                try (SseClient again = SseClient.open(server.port(), path + TestServer.token("alpha", SPEC))) {
                    status = again.status(5_000);
                }
                if (status == 200) break;
                Thread.sleep(50);
            }
            assertThat(status).as("a slot freed by a closed stream").isEqualTo(200);
            a2.close();
            assertThat(server.metrics().tenantLimited.sum()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aBurstOfNewConnectionsBeyondTheTenantsRateGets429UntilTheRateAllowsAgain(RedisServer redis) throws Exception {
        try (FanoutServer server =
                TestServer.start(redis.uri().toString(), Map.of("tenant.connections-per-second", "5"))) {
            int ok = 0;
            HttpResponse<String> refused = null;
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = snapshot(server, "burst");
                if (r.statusCode() == 200) ok++;
                else refused = r;
            }
            assertThat(ok).as("a second's worth passes, then about 5/s").isBetween(5, 12);
            assertThat(refused).isNotNull();
            assertLimited(refused, "tenant.connections-per-second 5");
            assertThat(snapshot(server, "calm").statusCode())
                    .as("another tenant")
                    .isEqualTo(200);
            Thread.sleep(1_100);
            assertThat(snapshot(server, "burst").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void snapshotsInFlightAreBoundedPerTenantAndServedRoundRobin(RedisServer redis, PostgresServer pg)
            throws Exception {
        String url = pg.freshDatabase("limits");
        TestServer.createRollups(url);
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            // a store that takes 0.5 s a query (a one-time filter, evaluated once per query)
            s.execute(
                    "CREATE VIEW slow_rollups AS SELECT * FROM rollups WHERE (SELECT count(*) FROM pg_sleep(0.5)) = 1");
        }
        try (FanoutServer server = TestServer.start(
                redis.uri().toString(),
                Map.of(
                        "store.type", "postgres",
                        "store.postgres.url", url,
                        "store.postgres.table", "slow_rollups",
                        "snapshot.threads", "1",
                        "tenant.max-snapshots", "6"))) {
            List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 6; i++)
                busy.add(HTTP.sendAsync(snapshotRequest(server, "busy"), HttpResponse.BodyHandlers.ofString()));
            long end = System.currentTimeMillis() + 10_000;
            while (queued(server) < 5 && System.currentTimeMillis() < end) Thread.sleep(5); // 1 running, 5 waiting
            HttpResponse<String> seventh = snapshot(server, "busy");
            assertLimited(seventh, "too many snapshots in flight for this tenant");
            HttpResponse<String> other = snapshot(server, "quiet");
            long otherMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
            CompletableFuture.allOf(busy.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            long busyMs = (System.nanoTime() - t0) / 1_000_000;
            for (CompletableFuture<HttpResponse<String>> f : busy)
                assertThat(f.get().statusCode()).isIn(200, 429);
            System.out.printf(
                    "fair queue: the quiet tenant's snapshot after %d ms, the busy tenant's six after %d ms%n",
                    otherMs, busyMs);
            assertThat(otherMs)
                    .as("the quiet tenant waits about one turn, not for the busy tenant's queue")
                    .isLessThan(busyMs - 1_000);
        }
    }
}
