package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A Redis restart: health turns 503 meanwhile, then every client gets a resync and live deltas again. */
@ExtendWith(RealServers.class)
@Timeout(120)
class RedisOutageIT {
    private static final String SPEC = "tumbling-1m";

    @Test
    void afterARedisRestartClientsAreResyncedAndDeltasFlowAgain(RedisServer redis) throws Exception {
        try (FanoutServer server = TestServer.start(redis.uri().toString(), Map.of());
                SseClient c = SseClient.open(
                        server.port(),
                        "/v1/stream?spec=" + SPEC + "&access_token=" + TestServer.token("outage", SPEC))) {
            assertThat(c.next("snapshot", 10_000)).isNotNull();
            long w = (System.currentTimeMillis() / 60_000) * 60_000;
            redis.stop();
            try {
                long deadline = System.currentTimeMillis() + 10_000;
                int status = 0;
                while (System.currentTimeMillis() < deadline && (status = health(server)) != 503) Thread.sleep(50);
                assertThat(status).as("health while Redis is down").isEqualTo(503);
            } finally {
                redis.start();
            }
            SseClient.Event resync = c.next("resync", 15_000);
            assertThat(resync).isNotNull();
            assertThat(resync.data()).contains("redis reconnected");
            assertThat(health(server)).isEqualTo(200);
            try (Deltas deltas = new Deltas(redis.uri())) {
                deltas.publish("outage", "t", SPEC, w, 1, 1);
            }
            assertThat(c.next("delta", 5_000)).isNotNull();
            assertThat(server.metrics().redisReconnects.sum()).isEqualTo(1);
        }
    }

    private static int health(FanoutServer server) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }
}
