package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.store.ColdStore;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/rollups} on a real fan-out server over real ClickHouse (hot) and Parquet files
 * (cold): auth, bad requests, rate limits, pagination, and the merge of the two sources by version,
 * each against rows the test wrote itself (the oracle), not against what the server read before.
 */
@ExtendWith(RealServers.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class RangeApiIT {
    static final long MIN = 60_000L, HOUR = 3_600_000L, DAY = 86_400_000L;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path cold;

    String db;
    String chUrl;
    long now = System.currentTimeMillis();
    long coldDay = Math.floorDiv(now, DAY) * DAY - 10 * DAY; // a whole day only in the cold files
    long hotFrom = (now / MIN) * MIN - DAY; // the last 24 h only in the store
    /** The oracle: the newest version of every window written, by key. */
    Map<String, WindowRow> expected = new TreeMap<>();

    static WindowRow row(String tenant, String type, long start, long count) {
        return new WindowRow(
                tenant,
                type,
                "tumbling-1m",
                start,
                start + MIN,
                count,
                count * 2.5,
                1,
                count,
                Kind.FINAL,
                WindowRow.version(count, true),
                start + MIN + 5);
    }

    void expect(WindowRow r) {
        expected.merge(r.windowKey(), r, (a, b) -> b.version() > a.version() ? b : a);
    }

    @BeforeAll
    void data(ClickHouseServer ch) throws Exception {
        db = ch.freshDatabase("range");
        chUrl = ch.httpUrl();
        io.rollcast.store.SchemaMigrations.applyClickHouse(new io.rollcast.store.ClickHouseEndpoint(chUrl, db, "", ""));
        // cold: a day of acme, two types, one file per hour, each hour written twice (an older version first)
        for (int h = 0; h < 24; h++) {
            List<WindowRow> older = new ArrayList<>(), newer = new ArrayList<>();
            for (int m = 0; m < 60; m++) {
                long start = coldDay + h * HOUR + m * MIN;
                for (String type : List.of("click", "view")) {
                    older.add(row("acme", type, start, 1 + m));
                    WindowRow r = row("acme", type, start, 2 + m + h);
                    newer.add(r);
                    expect(r);
                }
            }
            Path dir = cold.resolve(ColdStore.partition("acme", coldDay));
            Files.createDirectories(dir);
            ColdStore.write(older, dir.resolve("part-a-" + h + ".parquet"));
            ColdStore.write(newer, dir.resolve("part-b-" + h + ".parquet"));
        }
        ColdStore.write(
                List.of(row("other", "click", coldDay, 99)),
                Files.createDirectories(cold.resolve(ColdStore.partition("other", coldDay)))
                        .resolve("part-0.parquet"));
        // hot: the last 24 h of acme, two types
        List<String> hot = new ArrayList<>();
        for (long start = hotFrom; start < hotFrom + DAY; start += MIN) {
            for (String type : List.of("click", "view")) {
                WindowRow r = row("acme", type, start, 3 + (start / MIN) % 50);
                hot.add(TestServer.clickHouseJson(r));
                expect(r);
            }
        }
        hot.add(TestServer.clickHouseJson(row("other", "click", hotFrom, 1)));
        // the overlap of the two sources (retention 2 d: both read from now-3d to now-1d): highest version wins
        long both1 = (now / MIN) * MIN - 60 * HOUR, both2 = (now / MIN) * MIN - 36 * HOUR;
        Path dir = Files.createDirectories(cold.resolve(ColdStore.partition("acme", both1)));
        ColdStore.write(List.of(row("acme", "click", both1, 5)), dir.resolve("part-x.parquet"));
        hot.add(TestServer.clickHouseJson(row("acme", "click", both1, 9)));
        expect(row("acme", "click", both1, 9));
        dir = Files.createDirectories(cold.resolve(ColdStore.partition("acme", both2)));
        ColdStore.write(List.of(row("acme", "click", both2, 7)), dir.resolve("part-y.parquet"));
        hot.add(TestServer.clickHouseJson(row("acme", "click", both2, 3)));
        expect(row("acme", "click", both2, 7));
        ch.insertJsonEachRow(db + ".rollups", hot);
    }

    FanoutServer server(RedisServer redis, Map<String, String> more) {
        Map<String, String> m = new java.util.HashMap<>(Map.of(
                "store.type",
                "clickhouse",
                "store.clickhouse.url",
                chUrl,
                "store.clickhouse.database",
                db,
                "cold.path",
                cold.toString(),
                "api.hot-retention",
                "2d",
                "api.requests-per-second",
                "0"));
        m.putAll(more);
        return TestServer.start(redis.uri().toString(), m);
    }

    static HttpResponse<String> get(FanoutServer s, String query, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + query));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String range(long from, long to) {
        return "/v1/rollups?spec=tumbling-1m&from=" + from + "&to=" + to;
    }

    List<WindowRow> oracle(String tenant, long from, long to) {
        return expected.values().stream()
                .filter(r -> r.tenantId().equals(tenant) && r.windowStart() >= from && r.windowStart() < to)
                .sorted(java.util.Comparator.comparingLong(WindowRow::windowStart)
                        .thenComparing(WindowRow::eventType))
                .toList();
    }

    /** Every page of a range at {@code limit} rows per page, as rows; asserts every page but the last is full. */
    static List<WindowRow> allPages(FanoutServer s, String query, int limit, String token) throws Exception {
        List<WindowRow> rows = new ArrayList<>();
        String pageToken = null;
        int pages = 0;
        do {
            HttpResponse<String> r = get(
                    s,
                    query + "&limit=" + limit
                            + (pageToken == null
                                    ? ""
                                    : "&page_token=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8)),
                    token);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = JSON.readTree(r.body());
            for (JsonNode n : page.get("rows")) rows.add(io.rollcast.model.RowCodec.readRow(JSON.writeValueAsBytes(n)));
            pageToken = page.get("next_page_token").isNull()
                    ? null
                    : page.get("next_page_token").asText();
            if (pageToken != null) assertThat(page.get("rows")).hasSize(limit);
            assertThat(++pages).isLessThan(1000);
        } while (pageToken != null);
        return rows;
    }

    @Test
    void aDayOnlyInTheColdFilesIsReturnedPageByPageEqualToTheOracleWithoutDuplicates(RedisServer redis)
            throws Exception {
        try (FanoutServer s = server(redis, Map.of())) {
            String token = TestServer.token("acme", "tumbling-1m");
            List<WindowRow> rows = allPages(s, range(coldDay, coldDay + DAY), 700, token);
            assertThat(rows).hasSize(2880).containsExactlyElementsOf(oracle("acme", coldDay, coldDay + DAY));
            Set<String> keys = new HashSet<>();
            for (WindowRow r : rows) assertThat(keys.add(r.windowKey())).isTrue();
            HttpResponse<String> one = get(s, range(coldDay, coldDay + DAY) + "&limit=10", token);
            assertThat(one.headers().firstValue("X-Rollcast-Sources")).contains("hot=0, cold=10");
            assertThat(one.headers().firstValue("X-Next-Page-Token")).isPresent();
        }
    }

    @Test
    void aRangeAcrossColdAndHotMergesBothByVersionAndPagesAcrossTheBoundary(RedisServer redis) throws Exception {
        try (FanoutServer s = server(redis, Map.of())) {
            String token = TestServer.token("acme", "tumbling-1m");
            long from = (now / MIN) * MIN - 3 * DAY, to = now + MIN;
            assertThat(allPages(s, range(from, to), 333, token)).containsExactlyElementsOf(oracle("acme", from, to));
            // the same in one page, and one event type only
            assertThat(allPages(s, range(from, to), 10_000, token)).containsExactlyElementsOf(oracle("acme", from, to));
            assertThat(allPages(s, range(from, to) + "&event_type=view", 500, token))
                    .containsExactlyElementsOf(oracle("acme", from, to).stream()
                            .filter(r -> r.eventType().equals("view"))
                            .toList());
        }
    }

    @Test
    void csvPagesCarryTheSameRowsAndTheNextTokenInAHeader(RedisServer redis) throws Exception {
        try (FanoutServer s = server(redis, Map.of())) {
            String token = TestServer.token("acme", "tumbling-1m");
            HttpResponse<String> r = get(s, range(coldDay, coldDay + HOUR) + "&format=csv&limit=100", token);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
            String[] lines = r.body().split("\n");
            assertThat(lines).hasSize(101);
            assertThat(lines[0] + "\n").isEqualTo(io.rollcast.fanout.range.RangeEncoding.CSV_HEADER);
            WindowRow first = oracle("acme", coldDay, coldDay + HOUR).get(0);
            assertThat(lines[1])
                    .startsWith("acme," + first.eventType() + ",tumbling-1m," + java.time.Instant.ofEpochMilli(coldDay)
                            + "," + java.time.Instant.ofEpochMilli(coldDay + MIN) + "," + first.count() + ",");
            assertThat(r.headers().firstValue("X-Next-Page-Token")).isPresent();
        }
    }

    @Test
    void theTenantComesFromTheTokenOnly(RedisServer redis) throws Exception {
        try (FanoutServer s = server(redis, Map.of())) {
            String q = range(coldDay, coldDay + DAY);
            HttpResponse<String> none = get(s, q, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(none.body()).get("error").asText()).isNotEmpty();
            assertThat(get(s, q, "not-a-jwt").statusCode()).isEqualTo(401);
            assertThat(get(s, q + "&tenant=acme", TestServer.token("other", "tumbling-1m"))
                            .statusCode())
                    .isEqualTo(403);
            assertThat(get(s, q, TestServer.token("acme", "sliding-5m-1m")).statusCode())
                    .as("a spec the token does not allow")
                    .isEqualTo(403);
            // other's token reads other's rows only
            List<WindowRow> others = allPages(s, q, 100, TestServer.token("other", "tumbling-1m"));
            assertThat(others).extracting(WindowRow::tenantId).containsOnly("other");
            assertThat(others).hasSize(1);
        }
    }

    @Test
    void badRangesAndParametersGet400WithABodySayingWhy(RedisServer redis) throws Exception {
        try (FanoutServer s = server(redis, Map.of())) {
            String token = TestServer.token("acme", "tumbling-1m");
            Map<String, String> bad = new TreeMap<>(Map.of(
                    "/v1/rollups?spec=tumbling-1m&to=" + now,
                    "from is required",
                    "/v1/rollups?spec=tumbling-1m&from=" + now,
                    "to is required",
                    range(now, now),
                    "to must be after from",
                    range(now - 32 * DAY, now),
                    "range longer than api.max-range",
                    "/v1/rollups?spec=tumbling-1m&from=yesterday&to=" + now,
                    "from must be epoch milliseconds",
                    "/v1/rollups?from=1&to=2",
                    "spec is required",
                    range(1, 2) + "&limit=0",
                    "limit must be an integer from 1 to 10000",
                    range(1, 2) + "&page_token=xyz",
                    "malformed page_token",
                    range(1, 2) + "&format=xml",
                    "format must be json or csv",
                    range(1, 2) + "&spec=tumbling-1m",
                    "spec is given more than once"));
            bad.put(
                    range(1, 2) + "&event_type=" + URLEncoder.encode("a b", StandardCharsets.UTF_8),
                    "event_type must match");
            bad.put(
                    "/v1/rollups?spec=tumbling-1m&from=2026-12-01T00:00:00&to=2026-12-02T00:00:00Z",
                    "from must be epoch milliseconds or an RFC 3339 time with an offset");
            for (var e : bad.entrySet()) {
                HttpResponse<String> r = get(s, e.getKey(), token);
                assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
                JsonNode body = JSON.readTree(r.body());
                assertThat(body.get("error").asText()).isEqualTo("bad_request");
                assertThat(body.get("message").asText()).as(e.getKey()).contains(e.getValue());
            }
            // a token of another range is refused, RFC 3339 bounds are accepted
            String pageToken = new io.rollcast.fanout.range.RangeService.Cursor(coldDay + HOUR, 1).encode();
            assertThat(get(s, range(coldDay + 2 * HOUR, coldDay + DAY) + "&page_token=" + pageToken, token)
                            .statusCode())
                    .isEqualTo(400);
            HttpResponse<String> iso = get(
                    s,
                    "/v1/rollups?spec=tumbling-1m&from=" + java.time.Instant.ofEpochMilli(coldDay) + "&to="
                            + java.time.Instant.ofEpochMilli(coldDay + HOUR),
                    token);
            assertThat(iso.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(iso.body()).get("rows")).hasSize(120);
        }
    }

    @Test
    void aTenantOverItsRequestRateGets429WithRetryAfterAndOtherTenantsAreNotSlowed(RedisServer redis) throws Exception {
        try (FanoutServer s = server(redis, Map.of("api.requests-per-second", "2"))) {
            String acme = TestServer.token("acme", "tumbling-1m");
            String q = range(coldDay, coldDay + HOUR) + "&limit=1";
            List<Integer> codes = new ArrayList<>();
            HttpResponse<String> limited = null;
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> r = get(s, q, acme);
                codes.add(r.statusCode());
                if (r.statusCode() == 429) limited = r;
            }
            assertThat(codes.subList(0, 2)).containsOnly(200);
            assertThat(codes).contains(429);
            assertThat(limited.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 2));
            assertThat(JSON.readTree(limited.body()).get("message").asText()).contains("api.requests-per-second");
            assertThat(get(s, q, TestServer.token("other", "tumbling-1m")).statusCode())
                    .isEqualTo(200);
            Thread.sleep(1_100);
            assertThat(get(s, q, acme).statusCode())
                    .as("a token back after a second")
                    .isEqualTo(200);
        }
    }

    @Test
    void theOpenApiDocumentIsServedAndDescribesEveryParameterAndRefusal(RedisServer redis) throws Exception {
        try (FanoutServer s = server(redis, Map.of())) {
            HttpResponse<String> r = get(s, "/v1/openapi.yaml", null);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode doc = new YAMLMapper().readTree(r.body());
            JsonNode op = doc.at("/paths/~1v1~1rollups/get");
            List<String> params = new ArrayList<>();
            for (JsonNode p : op.get("parameters")) params.add(p.get("name").asText());
            assertThat(params)
                    .containsExactlyInAnyOrder(
                            "spec", "from", "to", "event_type", "limit", "page_token", "format", "tenant");
            List<String> codes = new ArrayList<>();
            op.get("responses").fieldNames().forEachRemaining(codes::add);
            assertThat(codes).containsExactlyInAnyOrder("200", "400", "401", "403", "429", "503");
        }
    }
}
