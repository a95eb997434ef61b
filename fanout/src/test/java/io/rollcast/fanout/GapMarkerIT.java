package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.Channels;
import io.rollcast.model.RowCodec;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loss the fan-out did not see on the wire: the job dropped a delta (the store has the row, Redis
 * never got it) and publishes a gap marker to the window's hour channel once Redis takes writes again.
 * The clients of that channel get a resync with the store's values; clients of other hours are left
 * alone; a client resuming across the marker gets a resync instead of a replay.
 */
@ExtendWith(RealServers.class)
@Timeout(60)
class GapMarkerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "tumbling-1m";
    private static final String TENANT = "gappy";

    private static void storeHas(String url, long windowStart, long count, double sum, long version) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE rollups SET count = ?, sum = ?, max = ?, version = ? WHERE tenant_id = ? AND window_start = ?")) {
            ps.setLong(1, count);
            ps.setDouble(2, sum);
            ps.setDouble(3, sum);
            ps.setLong(4, version);
            ps.setString(5, TENANT);
            ps.setObject(
                    6,
                    java.time.OffsetDateTime.ofInstant(
                            java.time.Instant.ofEpochMilli(windowStart), java.time.ZoneOffset.UTC));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private static String gap(long hour, long dropped) {
        return new String(
                RowCodec.gapJson(TENANT, SPEC, hour * Channels.HOUR_MS, dropped, System.currentTimeMillis()),
                StandardCharsets.UTF_8);
    }

    private static JsonNode row(SseClient.Event e, long windowStart) throws Exception {
        for (JsonNode r : JSON.readTree(e.data()).get("rows"))
            if (r.get("window_start").asLong() == windowStart) return r;
        return null;
    }

    @Test
    void aGapMarkerResyncsTheClientsOfItsChannelFromTheStoreAndOnlyThem(RedisServer redis, PostgresServer pg)
            throws Exception {
        String url = pg.freshDatabase("gaps");
        TestServer.createRollups(url);
        long hourA = Channels.hourOf(System.currentTimeMillis()) - 3;
        long hourB = hourA + 1;
        long wA = hourA * Channels.HOUR_MS + 5 * 60_000;
        long wB = hourB * Channels.HOUR_MS + 5 * 60_000;
        TestServer.insertRow(url, TENANT, "page.view", SPEC, wA, 60_000, 5, 10.0, 10);
        TestServer.insertRow(url, TENANT, "page.view", SPEC, wB, 60_000, 2, 4.0, 4);
        String token = TestServer.token(TENANT, SPEC);
        String pathA = "/v1/stream?spec=" + SPEC + "&from=" + hourA * Channels.HOUR_MS + "&to="
                + hourB * Channels.HOUR_MS + "&access_token=" + token;
        String pathB = "/v1/stream?spec=" + SPEC + "&from=" + hourB * Channels.HOUR_MS + "&to="
                + (hourB + 1) * Channels.HOUR_MS + "&access_token=" + token;
        try (FanoutServer server = TestServer.start(
                        redis.uri().toString(), Map.of("store.type", "postgres", "store.postgres.url", url));
                Deltas deltas = new Deltas(redis.uri());
                SseClient a = SseClient.open(server.port(), pathA);
                SseClient b = SseClient.open(server.port(), pathB);
                SseClient resumer = SseClient.open(server.port(), pathA)) {
            SseClient.Event first = a.next("snapshot", 10_000);
            assertThat(row(first, wA).get("count").asLong()).isEqualTo(5);
            assertThat(b.next("snapshot", 10_000)).isNotNull();
            SseClient.Event resumerFirst = resumer.next("snapshot", 10_000);
            assertThat(resumerFirst).isNotNull();
            resumer.close(); // goes away holding count 5; its event id is before the marker

            // the job's write of count 7 reached the store, its delta was dropped on the way to Redis
            storeHas(url, wA, 7, 14.0, 14);
            deltas.publish(gap(hourA, 1));

            SseClient.Event resync = a.next("resync", 10_000);
            assertThat(resync).as("the channel's client is resynced").isNotNull();
            assertThat(JSON.readTree(resync.data()).get("reason").asText()).contains("lost upstream");
            JsonNode fixed = row(resync, wA);
            assertThat(fixed.get("count").asLong()).isEqualTo(7);
            assertThat(fixed.get("version").asLong()).isEqualTo(14);
            assertThat(b.next(1_000))
                    .as("another hour's client is left alone")
                    .satisfiesAnyOf(
                            e -> assertThat(e).isNull(),
                            e -> assertThat(e.event()).isNotIn("resync", "delta"));

            try (SseClient back = SseClient.open(server.port(), pathA, "Last-Event-ID", resumerFirst.id())) {
                SseClient.Event e = back.next("resync", 10_000);
                assertThat(e)
                        .as("a resume across the marker is a resync, not a replay")
                        .isNotNull();
                assertThat(row(e, wA).get("count").asLong()).isEqualTo(7);
            }

            // deltas after the marker flow as before
            deltas.publish(TENANT, "page.view", SPEC, wA, 8, 16.0);
            SseClient.Event d = a.next("delta", 10_000);
            assertThat(JSON.readTree(d.data()).get("version").asLong()).isEqualTo(16);
            assertThat(server.metrics().gaps.sum()).isGreaterThanOrEqualTo(1);
            assertThat(server.metrics().badMessages.sum())
                    .as("the marker is not a malformed delta")
                    .isZero();
        }
    }
}
