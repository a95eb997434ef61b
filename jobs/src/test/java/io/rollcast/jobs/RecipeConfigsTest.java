package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.fanout.config.FanoutConfig;
import io.rollcast.model.WindowSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every recipe of {@code conf/recipes/} (what {@code bin/rollcast run --recipe NAME} starts) loads
 * through the job's and the fan-out's own config loaders, which refuse unknown keys and bad values,
 * and is what the README says it is.
 */
class RecipeConfigsTest {
    static final Path RECIPES = Path.of("..", "conf", "recipes");

    static Path job(String recipe) {
        return RECIPES.resolve(recipe).resolve("job.yaml");
    }

    static Path fanout(String recipe) {
        return RECIPES.resolve(recipe).resolve("fanout.yaml");
    }

    /** The recipe's fan-out file as bin/rollcast starts it: the token key from the environment. */
    static FanoutConfig fanoutConfig(String recipe) {
        return FanoutConfig.load(
                fanout(recipe),
                Map.of(FanoutConfig.envName("auth.secret"), "a-recipe-test-key-of-at-least-32-bytes"),
                Map.of());
    }

    @Test
    void everyRecipeLoadsThroughJobConfigAndFanoutConfig() throws IOException {
        List<String> names;
        try (Stream<Path> dirs = Files.list(RECIPES)) {
            names = dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        }
        assertThat(names).containsExactly("clickhouse-api", "hourly-postgres-sse", "sliding-websocket");
        String readme = Files.readString(Path.of("..", "README.md"));
        for (String name : names) {
            JobConfig job = JobConfig.load(job(name), Map.of(), Map.of());
            FanoutConfig fan = fanoutConfig(name);
            assertThat(job.windowSpecs()).as(name).isNotEmpty();
            assertThat(fan.storeType())
                    .as(name + ": the fan-out reads the store the job writes")
                    .isIn(job.storeType(), "none");
            assertThat(readme).as("README lists " + name).contains("bin/rollcast run --recipe " + name);
        }
    }

    @Test
    void hourlyPostgresSseKeepsHourlyHistoryMutableInPostgresWithDeltas() {
        JobConfig c = JobConfig.load(job("hourly-postgres-sse"), Map.of(), Map.of());
        assertThat(c.windowSpecs()).extracting(WindowSpec::id).containsExactly("tumbling-1h");
        assertThat(c.storeType()).isEqualTo("postgres");
        assertThat(c.redisEnabled()).isTrue();
        assertThat(c.allowedLateness()).isGreaterThanOrEqualTo(Duration.ofHours(1));
        assertThat(fanoutConfig("hourly-postgres-sse").storeType()).isEqualTo("postgres");
    }

    @Test
    void slidingWebsocketPublishesTumblingAndSlidingDeltasWithoutAStore() {
        JobConfig c = JobConfig.load(job("sliding-websocket"), Map.of(), Map.of());
        assertThat(c.windowSpecs()).extracting(WindowSpec::id).containsExactly("tumbling-1m", "sliding-5m-1m");
        assertThat(c.storeType()).isEqualTo("none");
        assertThat(c.redisEnabled()).isTrue();
    }

    @Test
    void clickhouseApiWritesMinuteWindowsToClickHouseWithADeadLetterTopic() {
        JobConfig c = JobConfig.load(job("clickhouse-api"), Map.of(), Map.of());
        assertThat(c.windowSpecs()).extracting(WindowSpec::id).containsExactly("tumbling-1m");
        assertThat(c.storeType()).isEqualTo("clickhouse");
        assertThat(c.dlqTopic()).isEqualTo("events.dlq");
        assertThat(fanoutConfig("clickhouse-api").storeType()).isEqualTo("clickhouse");
    }
}
