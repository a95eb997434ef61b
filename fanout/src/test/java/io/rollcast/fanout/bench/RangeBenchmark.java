package io.rollcast.fanout.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.TestServer;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.store.ColdStore;
import io.rollcast.store.PostgresCopy;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * {@code GET /v1/rollups} for one tenant's 24 h of a 1-minute spec (1 440 windows × types), all pages,
 * from each source side by side in one run: Postgres, ClickHouse, the cold files compacted (one file
 * for the day) and the cold files as the job leaves them before compaction (one file per flush:
 * {@code cold.flush-interval} 1 m gives 1 440 files a day). The stores also hold {@code others}
 * tenants of the same shape, so the tenant's rows are a slice of a bigger table, as in production.
 *
 * <p>{@code bin/bench range [types] [others] [requests] [limit]}: defaults 10, 50, 50, 10000.
 * Prints p50/p99/max of whole-range latency (every page) per source, and rows per second.
 */
public final class RangeBenchmark {
    static final long MIN = 60_000L, DAY = 86_400_000L;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        int types = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int others = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int limit = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        RedisServer redis = RealServers.startForMain(RedisServer.class);
        PostgresServer pg = RealServers.startForMain(PostgresServer.class);
        ClickHouseServer ch = RealServers.startForMain(ClickHouseServer.class);
        long day = Math.floorDiv(System.currentTimeMillis(), DAY) * DAY - 10 * DAY;
        System.out.printf(
                "range benchmark: 1 tenant's 24 h of tumbling-1m x %d types = %d rows per request (limit %d per page),"
                        + " stores hold %d more tenants alike; %d requests per source after 5 warm-up%n",
                types, 1440 * types, limit, others, requests);

        // the data: the tenant, then others, each 24 h x types
        List<WindowRow> all = new ArrayList<>();
        for (int t = 0; t <= others; t++) {
            String tenant = t == 0 ? "acme" : String.format("tenant-%04d", t);
            for (long s = day; s < day + DAY; s += MIN) {
                for (int k = 0; k < types; k++) {
                    long count = 1 + (s / MIN + k) % 97;
                    all.add(new WindowRow(
                            tenant,
                            "type-" + k,
                            "tumbling-1m",
                            s,
                            s + MIN,
                            count,
                            count * 1.5,
                            1,
                            count,
                            Kind.FINAL,
                            WindowRow.version(count, true),
                            s + MIN + 100));
                }
            }
        }
        long t0 = System.nanoTime();
        String jdbc = pg.freshDatabase("rangebench");
        io.rollcast.store.SchemaMigrations.applyPostgres(jdbc, "", "", "rollups");
        try (Connection c = DriverManager.getConnection(jdbc)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(PostgresCopy.createStaging("rollups"));
                // the day's partition, as the sink makes it (V003)
                s.execute("SELECT rollups_ensure_partition('" + ColdStore.day(day) + "')");
            }
            StringBuilder b = new StringBuilder();
            for (WindowRow r : all) PostgresCopy.append(b, r);
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(PostgresCopy.copyIn(), new java.io.StringReader(b.toString()));
            try (Statement s = c.createStatement()) {
                s.execute(PostgresCopy.merge("rollups"));
                c.commit();
                s.execute("ANALYZE rollups");
            }
        }
        String db = ch.freshDatabase("rangebench");
        io.rollcast.store.SchemaMigrations.applyClickHouse(
                new io.rollcast.store.ClickHouseEndpoint(ch.httpUrl(), db, "", ""));
        List<String> lines = new ArrayList<>();
        for (WindowRow r : all) lines.add(TestServer.clickHouseJson(r));
        for (int i = 0; i < lines.size(); i += 100_000)
            ch.insertJsonEachRow(db + ".rollups", lines.subList(i, Math.min(lines.size(), i + 100_000)));
        ch.query("OPTIMIZE TABLE " + db + ".rollups FINAL");
        Path compacted = Files.createTempDirectory("range-bench-compacted");
        Path perMinute = Files.createTempDirectory("range-bench-1440");
        Map<String, List<WindowRow>> byTenant = new LinkedHashMap<>();
        for (WindowRow r : all)
            byTenant.computeIfAbsent(r.tenantId(), k -> new ArrayList<>()).add(r);
        for (var e : byTenant.entrySet()) {
            Path dir = Files.createDirectories(compacted.resolve(ColdStore.partition(e.getKey(), day)));
            ColdStore.write(e.getValue(), dir.resolve("compacted-0.parquet"));
        }
        Path dir = Files.createDirectories(perMinute.resolve(ColdStore.partition("acme", day)));
        List<WindowRow> acme = byTenant.get("acme");
        for (int i = 0; i < acme.size(); i += types) {
            ColdStore.write(acme.subList(i, i + types), dir.resolve(String.format("part-%05d.parquet", i / types)));
        }
        System.out.printf(
                "loaded %d rows into Postgres, ClickHouse and Parquet in %.1f s%n",
                all.size(), (System.nanoTime() - t0) / 1e9);

        Map<String, Map<String, String>> sources = new LinkedHashMap<>();
        sources.put("postgres (hot)", Map.of("store.type", "postgres", "store.postgres.url", jdbc));
        sources.put(
                "clickhouse (hot)",
                Map.of(
                        "store.type",
                        "clickhouse",
                        "store.clickhouse.url",
                        ch.httpUrl(),
                        "store.clickhouse.database",
                        db));
        sources.put(
                "parquet, compacted (cold)",
                Map.of("store.type", "none", "cold.path", compacted.toString(), "api.hot-retention", "2d"));
        sources.put(
                "parquet, 1440 files (cold)",
                Map.of("store.type", "none", "cold.path", perMinute.toString(), "api.hot-retention", "2d"));
        String token = TestServer.token("acme", "tumbling-1m");
        String query = "/v1/rollups?spec=tumbling-1m&from=" + day + "&to=" + (day + DAY) + "&limit=" + limit;
        for (var e : sources.entrySet()) {
            Map<String, String> cfg = new LinkedHashMap<>(e.getValue());
            cfg.put("api.requests-per-second", "0");
            cfg.put("api.max-page-size", String.valueOf(Math.max(limit, 10_000)));
            try (FanoutServer s = TestServer.start(redis.uri().toString(), cfg)) {
                long[] ms = new long[requests];
                int rows = 0;
                for (int i = -5; i < requests; i++) {
                    long a = System.nanoTime();
                    rows = fetchAll(s.port(), query, token);
                    if (i >= 0) ms[i] = (System.nanoTime() - a) / 1_000_000;
                }
                if (rows != 1440 * types) throw new IllegalStateException(e.getKey() + ": " + rows + " rows");
                Arrays.sort(ms);
                long sum = 0;
                for (long m : ms) sum += m;
                System.out.printf(
                        "%-28s p50 %5d ms  p99 %5d ms  max %5d ms  (%d rows, %.0f rows/s at p50)%n",
                        e.getKey(),
                        ms[ms.length / 2],
                        ms[(int) Math.ceil(ms.length * 0.99) - 1],
                        ms[ms.length - 1],
                        rows,
                        rows * 1000.0 / Math.max(1, ms[ms.length / 2]));
            }
        }
        System.exit(0);
    }

    static int fetchAll(int port, String query, String token) throws Exception {
        int rows = 0;
        String next = null;
        do {
            String q = query + (next == null ? "" : "&page_token=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            HttpResponse<byte[]> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + q))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IllegalStateException(r.statusCode() + " " + new String(r.body()));
            JsonNode page = JSON.readTree(r.body());
            rows += page.get("rows").size();
            next = page.get("next_page_token").isNull()
                    ? null
                    : page.get("next_page_token").asText();
        } while (next != null);
        return rows;
    }
}
