package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Snapshots from ClickHouse (the query module's {@code FINAL} read) instead of Postgres. */
@ExtendWith(RealServers.class)
@Timeout(120)
class ClickHouseSnapshotIT {

    @Test
    void snapshotsReadTheHighestVersionOfEachWindowFromClickHouse(RedisServer redis, ClickHouseServer ch)
            throws Exception {
        String db = ch.freshDatabase("fanout");
        io.rollcast.store.SchemaMigrations.applyClickHouse(
                new io.rollcast.store.ClickHouseEndpoint(ch.httpUrl(), db, "", "")); // every migration
        long w = (System.currentTimeMillis() / 60_000 - 5) * 60_000;
        ch.insertJsonEachRow(db + ".rollups", List.of(row("acme", w, 3, 6), row("other", w, 9, 18)));
        ch.insertJsonEachRow(db + ".rollups", List.of(row("acme", w, 4, 9))); // a newer version in another part
        try (FanoutServer server = TestServer.start(
                redis.uri().toString(),
                Map.of(
                        "store.type",
                        "clickhouse",
                        "store.clickhouse.url",
                        ch.httpUrl(),
                        "store.clickhouse.database",
                        db))) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + server.port() + "/v1/snapshot?spec=tumbling-1m"))
                                    .header("Authorization", "Bearer " + TestServer.token("acme", "tumbling-1m"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode rows = new ObjectMapper().readTree(r.body()).get("rows");
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).get("version").asLong()).isEqualTo(9);
            assertThat(rows.get(0).get("count").asLong()).isEqualTo(4);
            assertThat(rows.get(0).get("window_start").asLong()).isEqualTo(w);
        }
    }

    private static String row(String tenant, long windowStart, long count, long version) {
        return "{\"tenant_id\":\"" + tenant + "\",\"event_type\":\"t\",\"spec\":\"tumbling-1m\",\"window_start\":"
                + windowStart / 1000
                + ",\"window_end\":" + (windowStart / 1000 + 60) + ",\"count\":" + count + ",\"sum\":" + count
                + ",\"min\":1,\"max\":1,"
                + "\"kind\":\"early\",\"version\":" + version + ",\"emitted_at\":" + System.currentTimeMillis() + "}";
    }
}
