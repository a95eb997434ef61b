package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard in real headless Chromium: snapshot rows, then live deltas from Redis, without reloading. */
@ExtendWith(RealServers.class)
@Timeout(120)
class DashboardIT {
    private static final String SPEC = "tumbling-1m";

    @Test
    void theDashboardShowsTheSnapshotThenUpdatesTheChartAndTableFromDeltas(RedisServer redis, PostgresServer pg)
            throws Exception {
        String pgUrl = pg.freshDatabase("dashboard");
        TestServer.createRollups(pgUrl);
        long minute = System.currentTimeMillis() / 60_000 * 60_000;
        long w1 = minute - 3 * 60_000;
        long w2 = minute - 2 * 60_000;
        long w3 = minute - 60_000;
        TestServer.insertRow(pgUrl, "dash", "page.view", SPEC, w1, 60_000, 5, 12.5, 10);
        TestServer.insertRow(pgUrl, "dash", "page.view", SPEC, w2, 60_000, 7, 14.0, 14);

        try (FanoutServer server = TestServer.start(
                        redis.uri().toString(), Map.of("store.type", "postgres", "store.postgres.url", pgUrl));
                Deltas deltas = new Deltas(redis.uri())) {
            WebDriver driver = browser();
            try {
                WebDriverWait wait = waitFor(driver);
                driver.get("http://127.0.0.1:" + server.port() + "/?spec=" + SPEC + "&access_token="
                        + TestServer.token("dash", SPEC));
                wait.until(d -> "live".equals(d.findElement(By.id("state")).getAttribute("data-state")));
                wait.until(d -> d.findElement(By.id("points")).getText().equals("2"));
                assertThat(driver.findElement(By.id("tenant")).getText()).isEqualTo("dash");
                assertThat(cell(driver, "page.view|" + w2, 4)).isEqualTo("7");

                deltas.publish("dash", "page.view", SPEC, w2, 9, 20.0); // version 18 > 14: replaces the stored row
                deltas.publish("dash", "page.view", SPEC, w3, 3, 4.5); // a new window
                deltas.publish("dash", "click", SPEC, w3, 4, 4.0); // a new event type
                deltas.publish("dash", "page.view", SPEC, w1, 4, 9.0); // version 8 < 10: stale, ignored

                wait.until(d -> d.findElement(By.id("points")).getText().equals("4"));
                wait.until(d -> "9".equals(cell(d, "page.view|" + w2, 4)));
                assertThat(cell(driver, "page.view|" + w1, 4)).isEqualTo("5");
                assertThat(cell(driver, "click|" + w3, 4)).isEqualTo("4");
                assertThat(driver.findElement(By.id("state")).getAttribute("data-state"))
                        .isEqualTo("live");
                assertThat(driver.findElements(By.cssSelector(".panel canvas")))
                        .as("one panel per event type")
                        .hasSize(2);
                assertThat(series(driver, "page.view")).isEqualTo("5/9/3");
                assertThat(series(driver, "click")).isEqualTo("4");

                File shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Files.copy(shot.toPath(), Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
            }
        }
    }

    /**
     * The range picker: the last 15 minutes by default, the last hour and a custom (history) range
     * on demand, each a new stream whose snapshot holds only that range's windows.
     */
    @Test
    void theRangePickerShowsTheLastHourAndACustomHistoryRange(RedisServer redis, PostgresServer pg) throws Exception {
        String pgUrl = pg.freshDatabase("dashboard_range");
        TestServer.createRollups(pgUrl);
        long minute = System.currentTimeMillis() / 60_000 * 60_000;
        TestServer.insertRow(pgUrl, "dash-range", "page.view", SPEC, minute - 2 * 60_000, 60_000, 5, 5, 10);
        TestServer.insertRow(pgUrl, "dash-range", "page.view", SPEC, minute - 50 * 60_000, 60_000, 8, 8, 16);
        try (FanoutServer server = TestServer.start(
                redis.uri().toString(), Map.of("store.type", "postgres", "store.postgres.url", pgUrl))) {
            WebDriver driver = browser();
            try {
                WebDriverWait wait = waitFor(driver);
                driver.get("http://127.0.0.1:" + server.port() + "/?spec=" + SPEC + "&access_token="
                        + TestServer.token("dash-range", SPEC));
                wait.until(d -> "live".equals(d.findElement(By.id("state")).getAttribute("data-state")));
                wait.until(d -> d.findElement(By.id("points")).getText().equals("1"));
                assertThat(series(driver, "page.view")).isEqualTo("5");

                new Select(driver.findElement(By.id("range"))).selectByValue("3600000");
                wait.until(d -> d.findElement(By.id("points")).getText().equals("2"));
                assertThat(series(driver, "page.view")).isEqualTo("8/5");
                assertThat(driver.findElement(By.id("state")).getText()).isEqualTo("live");

                new Select(driver.findElement(By.id("range"))).selectByValue("custom");
                js(
                        driver,
                        "document.getElementById('from').value = arguments[0];"
                                + "document.getElementById('to').value = arguments[1];",
                        iso(minute - 55 * 60_000),
                        iso(minute - 45 * 60_000));
                driver.findElement(By.id("apply")).click();
                wait.until(d -> "history".equals(d.findElement(By.id("state")).getText()));
                wait.until(d -> d.findElement(By.id("points")).getText().equals("1"));
                assertThat(series(driver, "page.view")).isEqualTo("8");
                assertThat(js(
                                driver,
                                "return Chart.getChart(document.querySelector('.panel canvas')).scales.x.ticks"
                                        + ".map(t => t.value % 60000 === 0 ? t.label : 'off-minute ' + t.value)"))
                        .as("x ticks: distinct labels on exact minute boundaries")
                        .asList()
                        .doesNotHaveDuplicates()
                        .noneMatch(t -> String.valueOf(t).startsWith("off-minute"));

                js(
                        driver,
                        "document.getElementById('from').value = arguments[0];"
                                + "document.getElementById('to').value = arguments[1];",
                        iso(minute - 60 * 60 * 60_000),
                        iso(minute + 10 * 60_000));
                driver.findElement(By.id("apply")).click();
                wait.until(d -> d.findElement(By.id("range-error")).isDisplayed());
                assertThat(driver.findElement(By.id("range-error")).getText())
                        .as("a range still open is streamed: snapshot.max-range")
                        .isEqualTo("the longest range is 48 h");
                js(
                        driver,
                        "document.getElementById('from').value = arguments[0];"
                                + "document.getElementById('to').value = arguments[1];",
                        iso(minute - 40L * 24 * 60 * 60_000),
                        iso(minute));
                driver.findElement(By.id("apply")).click();
                wait.until(d -> d.findElement(By.id("range-error")).getText().contains("31 days"));
                assertThat(driver.findElement(By.id("range-error")).getText())
                        .as("an ended range is read from /v1/rollups: api.max-range")
                        .isEqualTo("the longest range is 31 days");
                assertThat(driver.findElement(By.id("points")).getText())
                        .as("the shown range is kept")
                        .isEqualTo("1");
            } finally {
                driver.quit();
            }
        }
    }

    /**
     * A custom range of days ago, only in the cold Parquet files (not in the store), is loaded from
     * {@code /v1/rollups} page by page (page size 50, 3 pages) and drawn: exactly the rows written.
     */
    @Test
    void aCustomRangeOlderThanTheStoreIsLoadedFromTheRangeApiPageByPage(RedisServer redis, PostgresServer pg)
            throws Exception {
        String pgUrl = pg.freshDatabase("dashboard_cold");
        TestServer.createRollups(pgUrl);
        Path cold = Files.createTempDirectory(Path.of("target"), "dashboard-cold");
        long day = Math.floorDiv(System.currentTimeMillis(), 86_400_000L) * 86_400_000L - 5 * 86_400_000L;
        long from = day + 10 * 3_600_000L;
        java.util.List<io.rollcast.model.WindowRow> rows = new java.util.ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            long s = from + i * 60_000L, count = 1 + (i * 7) % 13;
            rows.add(new io.rollcast.model.WindowRow(
                    "dash-cold",
                    "page.view",
                    SPEC,
                    s,
                    s + 60_000L,
                    count,
                    count,
                    1,
                    count,
                    io.rollcast.model.Kind.FINAL,
                    io.rollcast.model.WindowRow.version(count, true),
                    s + 70_000L));
            expected.append(i == 0 ? "" : "/").append(count);
        }
        Path dir = Files.createDirectories(cold.resolve(io.rollcast.store.ColdStore.partition("dash-cold", from)));
        io.rollcast.store.ColdStore.write(rows, dir.resolve("part-0.parquet"));
        try (FanoutServer server = TestServer.start(
                redis.uri().toString(),
                Map.of(
                        "store.type", "postgres",
                        "store.postgres.url", pgUrl,
                        "cold.path", cold.toString(),
                        "api.hot-retention", "2d",
                        "api.page-size", "50"))) {
            WebDriver driver = browser();
            try {
                WebDriverWait wait = waitFor(driver);
                driver.get("http://127.0.0.1:" + server.port() + "/?spec=" + SPEC + "&from=" + from + "&to="
                        + (from + 2 * 3_600_000L) + "&access_token=" + TestServer.token("dash-cold", SPEC));
                wait.until(d -> "history".equals(d.findElement(By.id("state")).getText()));
                assertThat(driver.findElement(By.id("points")).getText()).isEqualTo("120");
                assertThat(driver.findElement(By.id("state")).getAttribute("data-pages"))
                        .isEqualTo("3");
                assertThat(series(driver, "page.view")).isEqualTo(expected.toString());
                assertThat(driver.findElement(By.id("deltas")).getText()).isEqualTo("0");
            } finally {
                driver.quit();
            }
        }
    }

    /**
     * How windows are drawn: an open window (early row) dashed with a hollow point, a late correction
     * as a triangle and "late" in the table, a percentile band between the lowest and highest
     * quantile, an anomaly ring whose tooltip gives the score, and the freshness badge.
     */
    @Test
    void openWindowsLateCorrectionsPercentileBandsAndAnomaliesAreDrawnApart(RedisServer redis, PostgresServer pg)
            throws Exception {
        String pgUrl = pg.freshDatabase("dashboard_styles");
        TestServer.createRollups(pgUrl);
        long minute = System.currentTimeMillis() / 60_000 * 60_000;
        long w1 = minute - 3 * 60_000;
        long w2 = minute - 2 * 60_000;
        long w3 = minute - 60_000;
        try (FanoutServer server = TestServer.start(
                        redis.uri().toString(), Map.of("store.type", "postgres", "store.postgres.url", pgUrl));
                Deltas deltas = new Deltas(redis.uri())) {
            WebDriver driver = browser();
            try {
                WebDriverWait wait = waitFor(driver);
                driver.get("http://127.0.0.1:" + server.port() + "/?spec=" + SPEC + "&access_token="
                        + TestServer.token("dash-styles", SPEC));
                wait.until(d -> "live".equals(d.findElement(By.id("state")).getAttribute("data-state")));
                deltas.publish(rich(w1, "late", 41, 0.5, false)); // a late correction of a closed window
                deltas.publish(rich(w2, "final", 120, 9.5, true)); // an anomaly
                deltas.publish(rich(w3, "early", 30, 0.4, false)); // the open window
                wait.until(d -> d.findElement(By.id("points")).getText().equals("3"));
                wait.until(d -> new Select(d.findElement(By.id("metric")))
                        .getOptions().stream()
                                .anyMatch(o -> o.getAttribute("value").equals("band")));

                String point = "return Chart.getChart(document.querySelector('.panel canvas')).getDatasetMeta(0)"
                        + ".data[arguments[0]].options[arguments[1]]";
                assertThat(js(driver, point, 2, "backgroundColor"))
                        .as("open window: hollow")
                        .isEqualTo("#ffffff");
                assertThat(js(driver, point, 1, "backgroundColor")).as("final").isNotEqualTo("#ffffff");
                assertThat(js(driver, point, 0, "pointStyle"))
                        .as("late correction")
                        .isEqualTo("triangle");
                assertThat(js(driver, point, 1, "pointStyle")).isEqualTo("circle");
                assertThat(js(
                                driver,
                                "return Chart.getChart(document.querySelector('.panel canvas')).data.datasets[0]"
                                        + ".segment.borderDash({p0DataIndex: arguments[0]})",
                                2))
                        .as("the open window's step is dashed")
                        .asList()
                        .isNotEmpty();
                assertThat(cell(driver, "page.view|" + w1, 2)).isEqualTo("late");
                assertThat(cell(driver, "page.view|" + w3, 2)).isEqualTo("open");

                assertThat(js(
                                driver,
                                "return Chart.getChart(document.querySelector('.panel canvas')).data.datasets"
                                        + ".find(d => d.id === 'anomaly').data.map(p => p.x)"))
                        .as("anomaly markers")
                        .asList()
                        .containsExactly(w2);
                assertThat(driver.findElement(By.cssSelector("#windows tr[data-anomaly=true]"))
                                .getAttribute("data-key"))
                        .isEqualTo("page.view|" + w2);
                assertThat(js(
                                driver,
                                "const c = Chart.getChart(document.querySelector('.panel canvas'));"
                                        + " const ds = c.data.datasets.findIndex(d => d.id === 'anomaly');"
                                        + " c.tooltip.setActiveElements([{datasetIndex: ds, index: 0}], {x: 0, y: 0}); c.update('none');"
                                        + " return c.tooltip.body.map(b => b.lines.join(' ')).join(' ')"))
                        .asString()
                        .contains("score 9.500");

                new Select(driver.findElement(By.id("metric"))).selectByValue("band");
                wait.until(
                        d -> Boolean.TRUE.equals(
                                js(
                                        d,
                                        "return Chart.getChart(document.querySelector('.panel canvas')).data.datasets.some(d => d.id === 'band-high')")));
                assertThat(js(
                                driver,
                                "const ds = Chart.getChart(document.querySelector('.panel canvas')).data.datasets;"
                                        + " const lo = ds.find(d => d.id === 'band-low'), hi = ds.find(d => d.id === 'band-high');"
                                        + " return [lo.label, hi.label, hi.fill, lo.data.filter(p => !p.end).map(p => p.y).join('/'),"
                                        + " hi.data.filter(p => !p.end).map(p => p.y).join('/')]"))
                        .asList()
                        .containsExactly("p50", "p99", "-1", "41/120/30", "82/240/60");
                assertThat(series(driver, "page.view"))
                        .as("the band's median line")
                        .isEqualTo("41/120/30");

                String age = driver.findElement(By.id("freshness")).getAttribute("data-age");
                assertThat(Integer.parseInt(age))
                        .as("seconds since the last delta")
                        .isBetween(0, 30);

                File shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Files.copy(
                        shot.toPath(), Path.of("target", "dashboard-styles.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
            }
        }
    }

    /** A delta with percentiles (p50 = count, p90 = 1.5 x, p99 = 2 x), a distinct count and an anomaly score. */
    private static String rich(long start, String kind, long count, double score, boolean flagged) {
        var n = (com.fasterxml.jackson.databind.node.ObjectNode) readJson(Deltas.json(
                "dash-styles",
                "page.view",
                SPEC,
                start,
                60_000,
                kind,
                2 * count + 1,
                count,
                count,
                1,
                1,
                System.currentTimeMillis()));
        var q = n.putObject("quantiles");
        q.put("0.5", (double) count);
        q.put("0.9", count * 1.5);
        q.put("0.99", count * 2.0);
        n.put("distinct", count / 2);
        var a = n.putObject("anomaly");
        a.put("score", score);
        a.put("baseline", 40.0);
        a.put("flagged", flagged);
        return n.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(String s) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String iso(long ms) {
        return java.time.Instant.ofEpochMilli(ms).toString().substring(0, 16);
    }

    /** A wait whose timeout message shows the page's state, points and notices. */
    private static WebDriverWait waitFor(WebDriver driver) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        wait.withMessage(() -> String.valueOf(js(
                driver,
                "return ['state', 'points', 'deltas', 'notice', 'range-error'].map(i => i + '=' + document.getElementById(i).textContent).join(', ')"
                        + " + ' errors=' + (window.__errors || []).join(' | ')")));
        return wait;
    }

    private static Object js(WebDriver d, String script, Object... args) {
        return ((JavascriptExecutor) d).executeScript(script, args);
    }

    /** The y values of an event type's panel, window by window. */
    private static String series(WebDriver d, String type) {
        return String.valueOf(js(
                d,
                "const c = Chart.getChart(document.querySelector('.panel[data-type=\"' + arguments[0] + '\"] canvas'));"
                        + " return c ? c.data.datasets.find(x => x.id === 'value').data.filter(p => !p.end).map(p => p.y).join('/') : null",
                type));
    }

    /** Headless Chromium (Debian's chromium and chromedriver), quit by the caller; its driver service stops with it. */
    private static WebDriver browser() throws Exception {
        Path profile = Files.createTempDirectory(Path.of("target"), "chromium-profile");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions()
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
        return new ChromeDriver(service, options);
    }

    private static String cell(WebDriver d, String key, int column) {
        var rows = d.findElements(By.cssSelector("#windows tbody tr[data-key='" + key + "'] td"));
        return rows.size() > column ? rows.get(column).getText() : null;
    }
}
