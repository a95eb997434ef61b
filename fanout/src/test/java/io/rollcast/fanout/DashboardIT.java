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
import java.util.List;
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
        try (FanoutServer server = TestServer.start(
                        redis.uri().toString(), Map.of("store.type", "postgres", "store.postgres.url", pgUrl));
                Deltas deltas = new Deltas(redis.uri())) {
            WebDriver driver = new ChromeDriver(service, options);
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
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
                assertThat(driver.findElements(By.cssSelector("canvas#chart"))).hasSize(1);
                @SuppressWarnings("unchecked")
                List<String> series = (List<String>)
                        ((JavascriptExecutor) driver)
                                .executeScript(
                                        "return Chart.getChart('chart').data.datasets.map(d => d.label + ':' + d.data.map(p => p.y).join('/'))");
                assertThat(series).containsExactlyInAnyOrder("page.view:5/9/3", "click:4");

                File shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Files.copy(shot.toPath(), Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
            }
        } finally {
            service.stop();
        }
    }

    private static String cell(WebDriver d, String key, int column) {
        var rows = d.findElements(By.cssSelector("#windows tbody tr[data-key='" + key + "'] td"));
        return rows.size() > column ? rows.get(column).getText() : null;
    }
}
