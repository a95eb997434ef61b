package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.config.ConfigException;
import io.rollcast.model.WindowSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
    @Test
    void theWriteBackCacheIsSizedFromTheHeapByDefaultOrFixedByANumber() {
        assertThat(JobConfig.defaults().writeBackMaxEntries())
                .isEqualTo(io.rollcast.operators.WindowRollupsOperator.AUTO);
        assertThat(JobConfig.defaults()
                        .with("state.write-back-max-entries", " Auto ")
                        .writeBackMaxEntries())
                .isEqualTo(io.rollcast.operators.WindowRollupsOperator.AUTO);
        assertThat(JobConfig.defaults()
                        .with("state.write-back-max-entries", "250000")
                        .writeBackMaxEntries())
                .isEqualTo(250_000);
        assertThat(JobConfig.defaults()
                        .with("state.write-back-max-entries", "0")
                        .writeBackMaxEntries())
                .isZero();
        for (String bad : List.of("-1", "lots", "1e6")) {
            assertThatThrownBy(() -> JobConfig.defaults().with("state.write-back-max-entries", bad))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state.write-back-max-entries");
        }
    }

    @Test
    void defaultsAreUsableAsIs() {
        JobConfig c = JobConfig.defaults();
        assertThat(c.windowSpecs())
                .extracting(WindowSpec::id)
                .containsExactly("tumbling-1m", "sliding-5m-1m", "sliding-1h-1m");
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.earlyInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxParallelism()).isEqualTo(128);
    }

    @Test
    void boundedRunsNeverDeclareAPartitionIdle() {
        assertThat(JobConfig.defaults().idleness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(JobConfig.defaults().with("kafka.bounded", "true").idleness())
                .isZero();
        assertThat(JobConfig.defaults()
                        .with("kafka.bounded", "true")
                        .with("watermark.idleness", "1m")
                        .idleness())
                .isZero();
    }

    @Test
    void readsNestedAndDottedYamlAndAppliesOverridesOnTop(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("job.yaml");
        Files.writeString(f, """
                kafka:
                  topic: tenant-events
                windows:
                  specs: [tumbling 1h, sliding 10m/5m]
                  early-interval: 100ms
                watermark.max-out-of-orderness: 2s
                """);
        JobConfig c = JobConfig.load(f, Map.of("windows.early-interval", "250ms"));
        assertThat(c.kafkaTopic()).isEqualTo("tenant-events");
        assertThat(c.windowSpecs()).extracting(WindowSpec::id).containsExactly("tumbling-1h", "sliding-10m-5m");
        assertThat(c.earlyInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxOutOfOrderness()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void unknownKeysStopStartUpNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.load(null, Map.of("windows.lateness", "5m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'windows.lateness'");
    }

    @Test
    void badValuesStopStartUpNamingTheKey() {
        for (var bad : List.of(
                Map.entry("windows.allowed-lateness", "five minutes"),
                Map.entry("windows.specs", "sliding 5m/2m"),
                Map.entry("windows.specs", "hopping 1m"),
                Map.entry("job.max-parallelism", "0"),
                Map.entry("kafka.starting-offsets", "beginning"),
                Map.entry("kafka.bounded", "yes"),
                Map.entry("kafka.topic", " "),
                Map.entry("windows.distinct", "user_id"),
                Map.entry("windows.distinct", "payload."),
                Map.entry("windows.distinct", "payload.user id"),
                Map.entry("windows.distinct", "payload.a.b.c.d.e.f.g.h.i"),
                Map.entry("windows.quantiles", "0.5,1.5"),
                Map.entry("windows.quantiles", "0.9,0.5"),
                Map.entry("windows.quantiles", "p99"),
                Map.entry("windows.anomaly.history", "2"),
                Map.entry("windows.anomaly.threshold", "0"),
                Map.entry("windows.anomaly.metric", "p95"))) {
            assertThatThrownBy(() -> JobConfig.load(null, Map.of(bad.getKey(), bad.getValue())))
                    .as(bad.toString())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("config key '" + bad.getKey() + "'");
        }
    }

    @Test
    void quantilesDistinctAndAnomalyAreConfiguredByNameAndCheckedTogether() {
        JobConfig cfg = JobConfig.load(
                null,
                Map.of(
                        "windows.quantiles", "0.5, 0.9,0.99",
                        "windows.distinct", "payload.user.id",
                        "windows.anomaly.history", "30",
                        "windows.anomaly.metric", "p99"));
        assertThat(cfg.rollupStats().quantileLevels()).containsExactly(0.5, 0.9, 0.99);
        assertThat(cfg.rollupStats().distinct()).isTrue();
        assertThat(cfg.rollupStats().anomalyHistory()).isEqualTo(30);
        assertThat(JobConfig.defaults().rollupStats().any()).isFalse();
        assertThatThrownBy(() ->
                        JobConfig.load(null, Map.of("windows.anomaly.history", "10", "windows.anomaly.metric", "p99")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config key 'windows.anomaly.metric'");
    }

    @Test
    void theConfigTableListsEveryKeyWithItsDefault() {
        String table = JobConfig.markdownTable();
        assertThat(table)
                .contains(
                        "| `windows.allowed-lateness` | `ROLLCAST_JOB_WINDOWS_ALLOWED_LATENESS` | duration | `5m` |",
                        "| `kafka.topic` | `ROLLCAST_JOB_KAFKA_TOPIC` | string | `events` |",
                        "| `store.postgres.password` | `ROLLCAST_JOB_STORE_POSTGRES_PASSWORD` | string | `\"\"` |");
    }
}
