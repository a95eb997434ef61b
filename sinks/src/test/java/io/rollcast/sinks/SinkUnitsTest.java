package io.rollcast.sinks;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.sinks.schema.SchemaMigrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SinkUnitsTest {

    @Test
    void clickHouseRowIsOneJsonLineWithSecondsForWindowBoundsAndEscapedStrings() throws Exception {
        WindowRow r = new WindowRow("t\"1\n", "a", "tumbling-1m", 1_767_225_600_000L, 1_767_225_660_000L, 3, 0.30000000000000004,
                -1.5, 2.25, Kind.LATE, 7, 1_767_225_661_123L);
        byte[] line = ClickHouseRowConverter.encode(r);
        assertThat(new String(line, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("\n");
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.get("tenant_id").asText()).isEqualTo("t\"1\n");
        assertThat(n.get("window_start").asLong()).isEqualTo(1_767_225_600L);
        assertThat(n.get("window_end").asLong()).isEqualTo(1_767_225_660L);
        assertThat(n.get("sum").asDouble()).isEqualTo(0.30000000000000004);
        assertThat(n.get("kind").asText()).isEqualTo("late");
        assertThat(n.get("emitted_at").asLong()).isEqualTo(1_767_225_661_123L);
    }

    @Test
    void subSecondWindowBoundsAreRefusedForClickHouse() {
        WindowRow r = new WindowRow("t", "a", "tumbling-500ms", 500, 1000, 1, 1, 1, 1, Kind.FINAL, 3, 0);
        assertThatThrownBy(() -> ClickHouseRowConverter.encode(r)).hasMessageContaining("whole seconds");
    }

    @Test
    void clientErrorsFailFastExceptTimeoutAndThrottling() {
        assertThat(ClickHouseRollupWriter.Responses.isClientError(400)).isTrue();
        assertThat(ClickHouseRollupWriter.Responses.isClientError(404)).isTrue();
        assertThat(ClickHouseRollupWriter.Responses.isClientError(408)).isFalse();
        assertThat(ClickHouseRollupWriter.Responses.isClientError(429)).isFalse();
        assertThat(ClickHouseRollupWriter.Responses.isClientError(500)).isFalse();
        assertThat(ClickHouseRollupWriter.Responses.isClientError(503)).isFalse();
    }

    @Test
    void backoffDoublesUpToItsCap() {
        assertThat(ClickHouseRollupWriter.Responses.backoffMs(1)).isEqualTo(100);
        assertThat(ClickHouseRollupWriter.Responses.backoffMs(2)).isEqualTo(200);
        assertThat(ClickHouseRollupWriter.Responses.backoffMs(6)).isEqualTo(3_200);
        assertThat(ClickHouseRollupWriter.Responses.backoffMs(7)).isEqualTo(5_000);
        assertThat(ClickHouseRollupWriter.Responses.backoffMs(1_000)).isEqualTo(5_000);
    }

    @Test
    void upsertReplacesOnlyWithAHigherVersionAndSplicesOnlyAValidatedTable() {
        assertThat(PostgresRollupSink.upsertSql("rollups"))
                .contains("ON CONFLICT (tenant_id, spec, window_start, event_type) DO UPDATE")
                .endsWith("WHERE r.version < EXCLUDED.version")
                .doesNotContain("'");
        assertThatThrownBy(() -> PostgresRollupSink.upsertSql("rollups x")).hasMessageContaining("not an identifier");
        assertThatThrownBy(() -> new ClickHouseSettings("http://h:1/", "db;drop", "", "", 1, 1, 1, 1, 1))
                .hasMessageContaining("not an identifier");
    }

    @Test
    void settingsNeverPrintPasswords() {
        assertThat(PostgresSettings.of("jdbc:postgresql://h/db", "u", "s3cret", "rollups").toString()).doesNotContain("s3cret");
        assertThat(ClickHouseSettings.of("http://h:1", "db", "u", "s3cret").toString()).doesNotContain("s3cret");
    }

    @Test
    void migrationsOfBothStoresAreOnTheClasspathInVersionOrder() {
        assertThat(SchemaMigrations.load("postgres")).extracting(SchemaMigrations.Migration::label).containsExactly("V001__rollups");
        assertThat(SchemaMigrations.load("clickhouse")).extracting(SchemaMigrations.Migration::label).containsExactly("V001__rollups");
    }
}
