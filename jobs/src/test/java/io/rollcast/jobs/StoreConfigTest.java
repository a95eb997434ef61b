package io.rollcast.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

    @Test
    void noStoreByDefaultAndSinkSettingsFollowTheConfig() {
        JobConfig c = JobConfig.defaults();
        assertThat(c.storeType()).isEqualTo("none");
        assertThat(c.storePostgres() || c.storeClickHouse()).isFalse();

        JobConfig both = c.with("store.type", "both")
                .with("store.postgres.batch-size", "250")
                .with("store.postgres.batch-interval", "50ms")
                .with("store.clickhouse.max-in-flight", "3")
                .with("store.clickhouse.database", "analytics");
        assertThat(both.storePostgres() && both.storeClickHouse()).isTrue();
        var pg = StoreSinks.postgres(both);
        assertThat(pg.batchSize()).isEqualTo(250);
        assertThat(pg.batchIntervalMs()).isEqualTo(50);
        assertThat(pg.table()).isEqualTo("rollups");
        var ch = StoreSinks.clickhouse(both);
        assertThat(ch.maxInFlight()).isEqualTo(3);
        assertThat(ch.table()).isEqualTo("analytics.rollups");
    }

    @Test
    void identifiersAndUrlsAreValidatedNamingTheKey() {
        for (var bad : Map.of(
                        "store.postgres.table", "rollups; drop table x",
                        "store.clickhouse.database", "db.other",
                        "store.postgres.url", "postgresql://h/db",
                        "store.clickhouse.url", "ftp://h",
                        "store.type", "mysql")
                .entrySet()) {
            assertThatThrownBy(() -> JobConfig.load(null, Map.of(bad.getKey(), bad.getValue())))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("config key '" + bad.getKey() + "'");
        }
    }

    @Test
    void passwordsAreMaskedInTheWebUiParameters() {
        JobConfig c = JobConfig.load(
                null, Map.of("store.postgres.password", "s3cret", "store.clickhouse.password", "t0ps3cret"));
        assertThat(c.postgresPassword()).isEqualTo("s3cret");
        assertThat(c.asMap().values()).doesNotContain("s3cret", "t0ps3cret");
        assertThat(c.asMap()).containsEntry("store.postgres.password", "******");
    }

    @Test
    void clickHouseRefusesSubSecondWindowSpecs() {
        JobConfig c = JobConfig.load(null, Map.of("store.type", "clickhouse", "windows.specs", "tumbling 500ms"));
        assertThatThrownBy(() -> StoreSinks.check(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("whole seconds");
        StoreSinks.check(c.with("store.type", "postgres"));
    }
}
