package io.rollcast.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.store.ClickHouseRowBinary;
import io.rollcast.store.SchemaMigrations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

class SinkUnitsTest {

    @Test
    void checkpointedJsonLinesFromBeforeRowBinaryAreReencodedOnRestore() throws Exception {
        // a buffered row as the JSONEachRow sink (state version 1) checkpointed it
        String line =
                "{\"tenant_id\":\"t\\\"1\u00e9\",\"event_type\":\"a\",\"spec\":\"tumbling-1m\",\"window_start\":1767225600,"
                        + "\"window_end\":1767225660,\"count\":3,\"sum\":0.30000000000000004,\"min\":-2.70676096666635E294,"
                        + "\"max\":-0.0,\"kind\":\"late\",\"version\":7,\"emitted_at\":1767225661123}";
        WindowRow row = new WindowRow(
                "t\"1\u00e9",
                "a",
                "tumbling-1m",
                1_767_225_600_000L,
                1_767_225_660_000L,
                3,
                0.30000000000000004,
                -2.70676096666635e+294,
                -0.0,
                Kind.LATE,
                7,
                1_767_225_661_123L);
        var serializer = new ClickHouseRollupSink.StateSerializer();
        byte[] v1 = serializer.serialize(state(line.getBytes(StandardCharsets.UTF_8)));

        List<byte[]> restored = entries(serializer.deserialize(1, v1));
        assertThat(restored).hasSize(1);
        assertThat(restored.get(0)).isEqualTo(ClickHouseRowBinary.encode(row));

        byte[] v2 = serializer.serialize(state(ClickHouseRowBinary.encode(row)));
        assertThat(serializer.getVersion()).isEqualTo(2);
        assertThat(entries(serializer.deserialize(2, v2))).containsExactly(ClickHouseRowBinary.encode(row));
        assertThatThrownBy(() -> serializer.deserialize(3, v2))
                .hasMessageContaining("Unknown ClickHouse sink state version 3");
    }

    private static BufferedRequestState<byte[]> state(byte[] entry) {
        return new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(entry, entry.length)));
    }

    private static List<byte[]> entries(BufferedRequestState<byte[]> state) {
        return state.getBufferedRequestEntries().stream()
                .map(RequestEntryWrapper::getRequestEntry)
                .toList();
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
        assertThat(PostgresSettings.of("jdbc:postgresql://h/db", "u", "s3cret", "rollups")
                        .toString())
                .doesNotContain("s3cret");
        assertThat(ClickHouseSettings.of("http://h:1", "db", "u", "s3cret").toString())
                .doesNotContain("s3cret");
    }

    @Test
    void migrationsOfBothStoresAreOnTheClasspathInVersionOrder() {
        assertThat(SchemaMigrations.load("postgres"))
                .extracting(SchemaMigrations.Migration::label)
                .containsExactly("V001__rollups", "V002__window_stats", "V003__daily_partitions");
        assertThat(SchemaMigrations.load("clickhouse"))
                .extracting(SchemaMigrations.Migration::label)
                .containsExactly("V001__rollups", "V002__window_stats");
    }
}
