package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.Channels;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Snapshot + deltas, SSE and WebSocket, resume and resync, against real Redis and Postgres. */
@ExtendWith(RealServers.class)
@Timeout(180)
class StreamIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "tumbling-1m";
    private static FanoutServer server;
    private static Deltas deltas;
    private static String pgUrl;
    private static String redisUri;

    @BeforeAll
    static void start(RedisServer redis, PostgresServer pg) throws Exception {
        pgUrl = pg.freshDatabase("fanout");
        TestServer.createRollups(pgUrl);
        redisUri = redis.uri().toString();
        server = TestServer.start(redisUri, Map.of("store.type", "postgres", "store.postgres.url", pgUrl));
        deltas = new Deltas(redis.uri());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (deltas != null) deltas.close();
    }

    /** A window start in the current hour's first minutes or the last hour (always within the default range). */
    private static long minuteAgo(int minutes) {
        long now = System.currentTimeMillis();
        return (now / 60_000 - minutes) * 60_000;
    }

    private static String stream(String tenant, String extra) {
        return "/v1/stream?spec=" + SPEC + extra + "&access_token=" + TestServer.token(tenant, SPEC);
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static long version(JsonNode rowsOrDelta) {
        return rowsOrDelta.get("version").asLong();
    }

    @Test
    void theSnapshotMergesStoreAndRecentStreamThenOnlyNewerDeltasFollow() throws Exception {
        String tenant = "snap";
        long w1 = minuteAgo(3);
        long w2 = minuteAgo(2);
        TestServer.insertRow(pgUrl, tenant, "page.view", SPEC, w1, 60_000, 5, 10.0, 10);
        deltas.publish(Deltas.json(
                tenant,
                "page.view",
                SPEC,
                w1,
                60_000,
                "early",
                8,
                4,
                8.0,
                0,
                8,
                System.currentTimeMillis())); // older than the store
        deltas.publish(
                tenant, "page.view", SPEC, w2, 2, 3.0); // not in the store yet (store lags): from the stream overlap
        try (SseClient c = SseClient.open(server.port(), stream(tenant, ""))) {
            assertThat(c.status(5_000)).isEqualTo(200);
            assertThat(c.headers())
                    .containsEntry("content-type", "text/event-stream; charset=utf-8")
                    .containsEntry("cache-control", "no-cache")
                    .containsEntry("x-accel-buffering", "no");
            SseClient.Event snap = c.next("snapshot", 10_000);
            assertThat(snap).isNotNull();
            assertThat(snap.id()).matches("tumbling-1m~\\d+~\\d{10}:[0-9-]+(,\\d{10}:[0-9-]+)*");
            JsonNode rows = json(snap.data()).get("rows");
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).get("window_start").asLong()).isEqualTo(w1);
            assertThat(version(rows.get(0))).isEqualTo(10);
            assertThat(rows.get(0).get("count").asLong()).isEqualTo(5);
            assertThat(version(rows.get(1))).isEqualTo(4);

            deltas.publish(tenant, "page.view", SPEC, w1, 5, 10.0); // version 10: not newer than the snapshot
            deltas.publish(tenant, "page.view", SPEC, w1, 6, 12.0); // 12
            deltas.publish(tenant, "page.view", SPEC, w1, 5, 11.0); // 10 again: stale
            deltas.publish(tenant, "other.type", SPEC, minuteAgo(90), 1, 1.0); // before the range
            deltas.publish(tenant, "page.view", SPEC, w2, 3, 4.0); // 6
            SseClient.Event d1 = c.next("delta", 5_000);
            SseClient.Event d2 = c.next("delta", 5_000);
            assertThat(json(d1.data()).get("version").asLong()).isEqualTo(12);
            assertThat(json(d1.data()).get("stream_id").asText()).isNotEmpty();
            assertThat(json(d1.data()).get("d_count").asLong()).isEqualTo(6);
            assertThat(json(d2.data()).get("window_start").asLong()).isEqualTo(w2);
            assertThat(c.next("delta", 500)).isNull();
            assertThat(d2.id()).isNotEqualTo(d1.id());
        }
    }

    @Test
    void clientsJoiningWhileDeltasFlowMissNothingAndSeeVersionsOnlyRise() throws Exception {
        String tenant = "race";
        long w = minuteAgo(1);
        int versions = 300;
        AtomicBoolean stop = new AtomicBoolean();
        // the publisher writes the store 30 ms after Redis, as a store sink batching behind the delta sink would
        Thread publisher = new Thread(() -> {
            try (Deltas d = new Deltas(URI.create(redisUri))) {
                for (int i = 1; i <= versions && !stop.get(); i++) {
                    d.publish(tenant, "t", SPEC, w, i, i);
                    final int n = i;
                    if (n % 3 == 0) {
                        Thread.sleep(30);
                        try (var conn = java.sql.DriverManager.getConnection(pgUrl);
                                var st = conn.prepareStatement(
                                        "INSERT INTO rollups VALUES (?, 't', ?, ?, ?, ?, ?, 0, ?, 'early', ?, now()) ON CONFLICT (tenant_id, spec, window_start, event_type)"
                                                + " DO UPDATE SET count = EXCLUDED.count, sum = EXCLUDED.sum, max = EXCLUDED.max, version = EXCLUDED.version"
                                                + " WHERE rollups.version < EXCLUDED.version")) {
                            st.setString(1, tenant);
                            st.setString(2, SPEC);
                            st.setObject(
                                    3,
                                    java.time.OffsetDateTime.ofInstant(
                                            java.time.Instant.ofEpochMilli(w), java.time.ZoneOffset.UTC));
                            st.setObject(
                                    4,
                                    java.time.OffsetDateTime.ofInstant(
                                            java.time.Instant.ofEpochMilli(w + 60_000), java.time.ZoneOffset.UTC));
                            st.setLong(5, n);
                            st.setDouble(6, n);
                            st.setDouble(7, n);
                            st.setLong(8, 2L * n);
                            st.executeUpdate();
                        }
                    } else {
                        Thread.sleep(7);
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        publisher.start();
        List<SseClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                clients.add(SseClient.open(server.port(), stream(tenant, "")));
                Thread.sleep(90);
            }
            publisher.join(60_000);
            for (SseClient c : clients) {
                long held = 0;
                long deadline = System.currentTimeMillis() + 10_000;
                while (held < 2L * versions && System.currentTimeMillis() < deadline) {
                    SseClient.Event e = c.next(Math.max(1, deadline - System.currentTimeMillis()));
                    if (e == null) break;
                    if (e.event().equals("snapshot") || e.event().equals("resync")) {
                        for (JsonNode r : json(e.data()).get("rows")) {
                            assertThat(version(r)).isGreaterThan(held);
                            held = version(r);
                        }
                    } else if (e.event().equals("delta")) {
                        long v = version(json(e.data()));
                        assertThat(v).as("versions only rise").isGreaterThan(held);
                        held = v;
                    }
                }
                assertThat(held).as("every client ends at the last version").isEqualTo(2L * versions);
            }
        } finally {
            stop.set(true);
            for (SseClient c : clients) c.close();
        }
    }

    @Test
    void aReconnectWithLastEventIdGetsExactlyTheMissedDeltas() throws Exception {
        String tenant = "resume";
        long w = minuteAgo(1);
        String lastId;
        try (SseClient c = SseClient.open(server.port(), stream(tenant, ""))) {
            assertThat(c.next("snapshot", 10_000)).isNotNull();
            deltas.publish(tenant, "t", SPEC, w, 1, 1);
            lastId = c.next("delta", 5_000).id();
        }
        deltas.publish(tenant, "t", SPEC, w, 2, 2);
        deltas.publish(tenant, "t", SPEC, w, 3, 3);
        try (SseClient c = SseClient.open(server.port(), stream(tenant, ""), "Last-Event-ID", lastId)) {
            SseClient.Event first = c.next(10_000);
            SseClient.Event second = c.next(5_000);
            assertThat(first.event()).isEqualTo("delta");
            assertThat(version(json(first.data()))).isEqualTo(4);
            assertThat(version(json(second.data()))).isEqualTo(6);
            deltas.publish(tenant, "t", SPEC, w, 4, 4);
            assertThat(version(json(c.next("delta", 5_000).data()))).isEqualTo(8);
            assertThat(c.drain())
                    .noneMatch(e -> e.event().equals("snapshot") || e.event().equals("resync"));
        }
    }

    @Test
    void aReconnectAfterTheStreamWasTrimmedGetsAResyncSnapshot() throws Exception {
        String tenant = "gap";
        long w = minuteAgo(1);
        String lastId;
        try (SseClient c = SseClient.open(server.port(), stream(tenant, ""))) {
            assertThat(c.next("snapshot", 10_000)).isNotNull();
            deltas.publish(tenant, "t", SPEC, w, 1, 1);
            lastId = c.next("delta", 5_000).id();
        }
        deltas.publish(tenant, "t", SPEC, w, 2, 2);
        deltas.publish(tenant, "t", SPEC, w, 3, 3);
        String streamKey = Channels.stream(Channels.channel(tenant, SPEC, Channels.hourOf(w)));
        deltas.jedis().xtrim(streamKey, 1, false); // the missed entry for version 4 is gone
        try (SseClient c = SseClient.open(server.port(), stream(tenant, ""), "Last-Event-ID", lastId)) {
            SseClient.Event e = c.next(10_000);
            assertThat(e.event()).isEqualTo("resync");
            JsonNode body = json(e.data());
            assertThat(body.get("reason").asText()).contains("trimmed");
            assertThat(version(body.get("rows").get(0))).isEqualTo(6); // the surviving entry, via the overlap
        }
    }

    @Test
    void webSocketClientsGetTheSameFramesAsJsonAndCanResume() throws Exception {
        String tenant = "ws";
        long w = minuteAgo(1);
        TestServer.insertRow(pgUrl, tenant, "t", SPEC, w, 60_000, 1, 1, 2);
        WsFrames listener = new WsFrames();
        LinkedBlockingQueue<String> in = listener.frames;
        String url = "ws://127.0.0.1:" + server.port() + "/v1/ws?spec=" + SPEC + "&access_token="
                + TestServer.token(tenant, SPEC);
        HttpClient http = HttpClient.newHttpClient();
        WebSocket ws =
                http.newWebSocketBuilder().buildAsync(URI.create(url), listener).get(10, TimeUnit.SECONDS);
        JsonNode snap = json(in.poll(10, TimeUnit.SECONDS));
        assertThat(snap.get("event").asText()).isEqualTo("snapshot");
        assertThat(snap.get("data").get("rows").get(0).get("count").asLong()).isEqualTo(1);
        deltas.publish(tenant, "t", SPEC, w, 2, 2);
        JsonNode delta = json(in.poll(5, TimeUnit.SECONDS));
        assertThat(delta.get("event").asText()).isEqualTo("delta");
        assertThat(delta.get("data").get("version").asLong()).isEqualTo(4);
        String lastId = delta.get("id").asText();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        ws.abort();

        deltas.publish(tenant, "t", SPEC, w, 3, 3);
        LinkedBlockingQueue<String> in2 = in;
        in2.clear();
        WebSocket again = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create(url + "&last_event_id="
                                + java.net.URLEncoder.encode(lastId, java.nio.charset.StandardCharsets.UTF_8)),
                        listener)
                .get(10, TimeUnit.SECONDS);
        JsonNode replayed = json(in2.poll(10, TimeUnit.SECONDS));
        assertThat(replayed.get("event").asText()).isEqualTo("delta");
        assertThat(replayed.get("data").get("version").asLong()).isEqualTo(6);
        again.abort();
    }

    @Test
    void oneRedisSubscriptionPerChannelIsSharedAndDroppedWithTheLastClient() throws Exception {
        String tenant = "shared";
        String channel = Channels.channel(tenant, SPEC, Channels.hourOf(System.currentTimeMillis()));
        try (SseClient a = SseClient.open(server.port(), stream(tenant, ""));
                SseClient b = SseClient.open(server.port(), stream(tenant, ""))) {
            assertThat(a.next("snapshot", 10_000)).isNotNull();
            assertThat(b.next("snapshot", 10_000)).isNotNull();
            assertThat(deltas.jedis().pubsubNumSub(channel)).containsEntry(channel, 1L);
            String metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .containsPattern("rollcast_fanout_connections\\{transport=\"sse\"} [2-9]")
                    .contains("rollcast_fanout_subscriptions ")
                    .contains("rollcast_fanout_messages_in_total ");
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (deltas.jedis().pubsubNumSub(channel).get(channel) != 0L && System.currentTimeMillis() < deadline)
            Thread.sleep(20);
        assertThat(deltas.jedis().pubsubNumSub(channel)).containsEntry(channel, 0L);
        HttpResponse<String> health = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"redis\":true");
    }
}
