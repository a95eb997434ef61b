package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.TestServer;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.jobs.gen.GeneratorConfig;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowSpec;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hot to cold, end to end: the job on the real cluster writes windows of 40 days ago to Postgres,
 * ClickHouse and the Parquet cold path; the range API answers an old range from each store while the
 * rows are hot; the retention command drops them from both stores; the API then answers the same range
 * from Parquet with the same rows, and every answer equals the independent oracle.
 */
@ExtendWith(RealServers.class)
class HotColdRetentionIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final long DAY = 86_400_000L;

    @Test
    void anOldRangeReadsTheSameRowsFromParquetAfterTheyAgedOutOfBothStoresAsWhileTheyWereHot(
            KafkaServer kafka, FlinkCluster flink, PostgresServer pg, ClickHouseServer ch, RedisServer redis)
            throws Exception {
        String in = kafka.freshTopic("events", 4),
                rows = kafka.freshTopic("rollups", 2),
                late = kafka.freshTopic("late", 1);
        String pgUrl = pg.freshDatabase("hotcold");
        String chDb = ch.freshDatabase("hotcold");
        Path cold = Files.createTempDirectory(flink.tmpDir(), "hotcold-");
        // 40 days ago from 22:00 UTC, 8 000 s of event time: two days, in a month wholly older than 3 days
        long start = Math.floorDiv(System.currentTimeMillis(), DAY) * DAY - 40 * DAY + 22 * 3_600_000L;
        long n = 16_000;
        EventGenerator gen = new EventGenerator(
                new GeneratorConfig(41, 8, 3, start, 2, 0.20, 4_000, 0.02, 35_000, 180_000, 0, 0, 0, 0.01, 0.01));
        List<String> args = ClusterOperationsIT.args(
                kafka,
                in,
                rows,
                late,
                "job.parallelism=2",
                "store.type=both",
                "store.postgres.url=" + pgUrl,
                "store.postgres.batch-interval=100ms",
                "store.clickhouse.url=" + ch.httpUrl(),
                "store.clickhouse.database=" + chDb,
                "cold.path=" + cold,
                "cold.flush-interval=1s");
        Schemas.migrate(args);
        String job = flink.submit(ClusterOperationsIT.jar(), args, 2, null);
        JobConfig cfg = JobConfig.defaults();
        Map<String, double[]> expected = StoreRuns.expected(gen, n, cfg);
        try {
            flink.awaitRunning(job, Duration.ofSeconds(60));
            ClusterOperationsIT.produce(kafka, in, gen, 0, n, 4_000).join();
            ClusterOperationsIT.flush(kafka, in, 4, gen.baseTime(n) + 3_600_000L);
            EndToEndIT.await(
                    "Postgres equals the oracle",
                    () -> StoreRuns.diff(
                            expected, EndToEndIT.withoutFlush(StoreRows.postgres(pgUrl, "rollups")), StoreRows.EXACT));
            EndToEndIT.await(
                    "ClickHouse equals the oracle",
                    () -> StoreRuns.diff(
                            expected, EndToEndIT.withoutFlush(StoreRows.clickhouse(ch, chDb)), StoreRows.EXACT));
            EndToEndIT.await("the cold files equal the oracle", () -> {
                try {
                    Map<String, WindowRow> latest = Oracle.latest(ClusterOperationsIT.coldRows(cold));
                    return StoreRuns.diff(expected, latest, StoreRows.EXACT);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
        Set<String> tenants = new TreeSet<>();
        for (String k : expected.keySet()) tenants.add(k.substring(0, k.indexOf('|')));
        long from = Math.floorDiv(start, DAY) * DAY, to = from + 2 * DAY;

        // hot: retention 60 days, so the range is read from each store only
        Map<String, Object> hotPg = Map.of(), hotCh = Map.of();
        for (String store : List.of("postgres", "clickhouse")) {
            Answer a = answer(fanout(store, pgUrl, ch, chDb, cold, "60d"), redis, tenants, cfg.windowSpecs(), from, to);
            assertThat(a.cold).as(store + ": no row from Parquet while hot").isZero();
            assertThat(StoreRuns.diff(expected, a.rows, StoreRows.EXACT))
                    .as(store + " via the API")
                    .isEmpty();
            if (store.equals("postgres")) hotPg = values(a.rows);
            else hotCh = values(a.rows);
        }

        // the rows age out of both stores
        int rc = retention(
                "--set",
                "store.type=both",
                "--set",
                "store.postgres.url=" + pgUrl,
                "--set",
                "store.clickhouse.url=" + ch.httpUrl(),
                "--set",
                "store.clickhouse.database=" + chDb,
                "--older-than",
                "3d");
        assertThat(rc).isZero();
        assertThat(count(pgUrl, "SELECT count(*) FROM rollups WHERE window_start < now() - interval '3 days'"))
                .isZero();
        assertThat(ch.query("SELECT count() FROM " + chDb + ".rollups WHERE window_start < now() - 3 * 86400")
                        .trim())
                .isEqualTo("0");

        // cold: retention 3 days, the same range now comes from Parquet, the same rows as while hot
        for (String store : List.of("postgres", "clickhouse")) {
            Answer a = answer(fanout(store, pgUrl, ch, chDb, cold, "3d"), redis, tenants, cfg.windowSpecs(), from, to);
            assertThat(a.hot).as("no row from the store after retention").isZero();
            assertThat(StoreRuns.diff(expected, a.rows, StoreRows.EXACT))
                    .as("Parquet via the API")
                    .isEmpty();
            assertThat(values(a.rows)).isEqualTo(store.equals("postgres") ? hotPg : hotCh);
            System.out.printf(
                    "hot/cold IT (%s): %d windows of %d tenants equal the oracle hot, and from Parquet after retention%n",
                    store, a.rows.size(), tenants.size());
        }
    }

    /** A fan-out reading {@code store} (hot) and {@code cold}, with windows older than {@code hotRetention} from Parquet. */
    static Map<String, String> fanout(
            String store, String pgUrl, ClickHouseServer ch, String chDb, Path cold, String hotRetention) {
        return Map.of(
                "store.type",
                store,
                "store.postgres.url",
                pgUrl,
                "store.clickhouse.url",
                ch.httpUrl(),
                "store.clickhouse.database",
                chDb,
                "cold.path",
                cold.toString(),
                "api.hot-retention",
                hotRetention,
                "api.requests-per-second",
                "0",
                "api.page-size",
                "500");
    }

    /** Every row of every tenant and spec in [from, to) through the API, and how many came from each source. */
    record Answer(Map<String, WindowRow> rows, long hot, long cold) {}

    static Answer answer(
            Map<String, String> conf,
            RedisServer redis,
            Set<String> tenants,
            List<WindowSpec> specs,
            long from,
            long to)
            throws Exception {
        Map<String, WindowRow> out = new TreeMap<>();
        long hot = 0, cold = 0;
        try (FanoutServer s = TestServer.start(redis.uri().toString(), conf)) {
            for (String tenant : tenants) {
                for (WindowSpec spec : specs) {
                    String token = TestServer.token(tenant, spec.id());
                    String next = null;
                    do {
                        String q = "/v1/rollups?spec=" + spec.id() + "&from=" + from + "&to=" + to
                                + (next == null
                                        ? ""
                                        : "&page_token=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
                        HttpResponse<String> r = HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + q))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        JsonNode page = JSON.readTree(r.body());
                        for (JsonNode row : page.get("rows")) {
                            WindowRow w = RowCodec.readRow(JSON.writeValueAsBytes(row));
                            assertThat(out.put(Oracle.key(w.tenantId(), w.eventType(), w.spec(), w.windowStart()), w))
                                    .as("a window twice")
                                    .isNull();
                        }
                        hot += page.get("sources").get("hot").asLong();
                        cold += page.get("sources").get("cold").asLong();
                        next = page.get("next_page_token").isNull()
                                ? null
                                : page.get("next_page_token").asText();
                    } while (next != null);
                }
            }
        }
        return new Answer(out, hot, cold);
    }

    /** What must not change between a hot and a cold answer: count, sum, min, max, kind, version per window. */
    static Map<String, Object> values(Map<String, WindowRow> rows) {
        Map<String, Object> out = new TreeMap<>();
        rows.forEach((k, r) -> out.put(k, List.of(r.count(), r.sum(), r.min(), r.max(), r.kind(), r.version())));
        return out;
    }

    static long count(String jdbc, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int retention(String... args) {
        return new picocli.CommandLine(new io.rollcast.jobs.tools.RetentionCli()).execute(args);
    }
}
