package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.jobs.gen.EventGenerator;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.sinks.StoreRows;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.FlinkCluster;
import io.rollcast.testkit.KafkaServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Every part at once: generated events → Kafka → the job jar on a real Flink session cluster →
 * Postgres, ClickHouse and Redis → the fan-out server → an SSE client. Both stores end equal to the
 * independent oracle, the state the SSE client built from snapshot + deltas equals the store, and
 * the dashboard page in headless Chromium shows the same windows.
 */
@ExtendWith(RealServers.class)
class EndToEndIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TENANT = "tenant-0000";
    static final String SPEC = "tumbling-1m";

    @Test
    void eventsEndInBothStoresAndInTheStateOfALiveSseClient(
            KafkaServer kafka, FlinkCluster flink, PostgresServer pg, ClickHouseServer ch, RedisServer redis)
            throws Exception {
        try (Jedis j = new Jedis(redis.uri())) {
            j.flushAll(); // recovery streams of earlier tests (same tenants and hours) would join the snapshot
        }
        String in = kafka.freshTopic("events", 4),
                rows = kafka.freshTopic("rollups", 2),
                late = kafka.freshTopic("late", 1);
        String pgUrl = pg.freshDatabase("e2e");
        String chDb = ch.freshDatabase("e2e");
        long n = 20_000;
        EventGenerator gen = StoreRuns.generator(31); // disorder, late, bad, duplicates; none beyond the lateness

        List<String> args = ClusterOperationsIT.args(
                kafka,
                in,
                rows,
                late,
                "windows.early-interval=200ms",
                "job.parallelism=2",
                "store.type=both",
                "store.postgres.url=" + pgUrl,
                "store.postgres.batch-interval=100ms",
                "store.clickhouse.url=" + ch.httpUrl(),
                "store.clickhouse.database=" + chDb,
                "redis.enabled=true",
                "redis.uri=" + redis.uri());
        Schemas.migrate(args); // the schema command, as bin/rollcast runs it before submitting
        String job = flink.submit(ClusterOperationsIT.jar(), args, 2, null);
        flink.awaitRunning(job, Duration.ofSeconds(60));

        try (FanoutServer fanout = TestServer.start(
                redis.uri().toString(),
                Map.of("store.type", "postgres", "store.postgres.url", pgUrl, "snapshot.max-range", "48h"))) {
            long from = StoreRuns.START - 3_600_000L, to = StoreRuns.START + 3_600_000L;
            String token = TestServer.token(TENANT, SPEC);
            Map<String, WindowRow> clientState = new TreeMap<>();
            try (SseClient sse = SseClient.open(
                    fanout.port(),
                    "/v1/stream?spec=" + SPEC + "&from=" + from + "&to=" + to + "&access_token=" + token)) {
                assertThat(sse.status(10_000)).isEqualTo(200);
                ClusterOperationsIT.produce(kafka, in, gen, 0, n, 4_000).join();
                ClusterOperationsIT.flush(kafka, in, 4, gen.baseTime(n) + 3_600_000L);

                JobConfig cfg = JobConfig.defaults();
                Map<String, double[]> expected = StoreRuns.expected(gen, n, cfg);
                await(
                        "Postgres equals the oracle",
                        () -> StoreRuns.diff(
                                expected, withoutFlush(StoreRows.postgres(pgUrl, "rollups")), StoreRows.EXACT));
                await(
                        "ClickHouse equals the oracle (1 ulp: its text parser)",
                        () -> StoreRuns.diff(expected, withoutFlush(StoreRows.clickhouse(ch, chDb)), StoreRows.EXACT));

                Map<String, WindowRow> store = new TreeMap<>();
                StoreRows.postgres(pgUrl, "rollups").forEach((k, r) -> {
                    if (r.tenantId().equals(TENANT)
                            && r.spec().equals(SPEC)
                            && r.windowStart() >= from
                            && r.windowStart() < to) {
                        store.put(k, r);
                    }
                });
                await("the SSE client's snapshot + deltas equal the store", () -> {
                    try {
                        for (SseClient.Event e : sse.drain()) apply(e, clientState);
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                    return StoreRows.diff(store, clientState, StoreRows.EXACT, 10);
                });
                assertThat(clientState).hasSizeGreaterThan(10);
                dashboardShows(fanout.port(), token, from, to, clientState);
                System.out.printf(
                        "e2e: %d windows in each store, SSE client holds %d windows of %s/%s%n",
                        expected.size(), clientState.size(), TENANT, SPEC);
            }
        } finally {
            flink.cancel(job);
            flink.awaitTerminal(job, Duration.ofSeconds(60));
        }
    }

    /** The dashboard page in headless Chromium shows every window the SSE client holds, with the same counts. */
    static void dashboardShows(int port, String token, long from, long to, Map<String, WindowRow> windows)
            throws Exception {
        java.nio.file.Path profile =
                java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "chromium-profile");
        var service = new org.openqa.selenium.chrome.ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        var options = new org.openqa.selenium.chrome.ChromeOptions()
                .setBinary("/usr/bin/chromium")
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--window-size=1200,900",
                        "--user-data-dir=" + profile.toAbsolutePath());
        var driver = new org.openqa.selenium.chrome.ChromeDriver(service, options);
        try {
            var wait = new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(30));
            driver.get("http://127.0.0.1:" + port + "/?spec=" + SPEC + "&from=" + from + "&to=" + to + "&access_token="
                    + token);
            wait.until(d -> "live"
                    .equals(d.findElement(org.openqa.selenium.By.id("state")).getAttribute("data-state")));
            wait.until(d -> d.findElement(org.openqa.selenium.By.id("points"))
                    .getText()
                    .equals(Integer.toString(windows.size())));
            for (WindowRow r : windows.values().stream().limit(5).toList()) {
                var cells = driver.findElements(org.openqa.selenium.By.cssSelector(
                        "#windows tbody tr[data-key='" + r.eventType() + "|" + r.windowStart() + "'] td"));
                assertThat(cells).hasSizeGreaterThan(4);
                assertThat(cells.get(4).getText()).as("count of " + r).isEqualTo(Long.toString(r.count()));
            }
            java.io.File shot =
                    ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.FILE);
            java.nio.file.Files.copy(
                    shot.toPath(),
                    java.nio.file.Path.of("target", "e2e-dashboard.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            driver.quit();
            service.stop();
        }
    }

    static Map<String, WindowRow> withoutFlush(Map<String, WindowRow> rows) {
        rows.values().removeIf(r -> r.tenantId().equals(ClusterOperationsIT.FLUSH_TENANT));
        return rows;
    }

    /** Applies a snapshot (replaces the state) or a delta (highest version wins) as a dashboard would. */
    static void apply(SseClient.Event e, Map<String, WindowRow> state) throws Exception {
        if (e.event() == null || e.data() == null) return;
        JsonNode n = JSON.readTree(e.data());
        switch (e.event()) {
            case "snapshot", "resync" -> {
                state.clear();
                n.get("rows").forEach(r -> put(r, state));
            }
            case "delta" -> put(n, state);
            default -> {}
        }
    }

    static void put(JsonNode n, Map<String, WindowRow> state) {
        WindowRow r = RowCodec.readRow(
                n.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)); // a delta is a row plus changes
        state.merge(StoreRows.key(r), r, (a, b) -> b.version() > a.version() ? b : a);
    }

    static void await(String what, Supplier<List<String>> diff) throws InterruptedException {
        List<String> d = new ArrayList<>(List.of("not checked"));
        for (long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                System.nanoTime() < end;
                Thread.sleep(1000)) {
            d = diff.get();
            if (d.isEmpty()) return;
        }
        assertThat(d).as(what).isEmpty();
    }
}
