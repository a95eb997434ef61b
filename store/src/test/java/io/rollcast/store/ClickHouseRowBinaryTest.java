package io.rollcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ClickHouseRowBinaryTest {
    private static final String DDL = SchemaMigrations.load("clickhouse").get(0).sql();
    /** Every migration: V001's table and V002's added columns, in the order they were added. */
    private static final String ALL_DDL = SchemaMigrations.load("clickhouse").stream()
            .map(SchemaMigrations.Migration::sql)
            .collect(java.util.stream.Collectors.joining("\n"));

    @Test
    void aRowIsItsColumnsInTableOrderLittleEndianWithTheDoublesRawBits() {
        WindowRow r = new WindowRow(
                "t\"1é",
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
        String expected = String.join(
                "",
                "05" + "742231c3a9", // tenant_id: 5 UTF-8 bytes (é is two)
                "01" + "61", // event_type
                "0b" + "74756d626c696e672d316d", // spec
                "00b95569", // window_start: 1767225600 s, UInt32
                "3cb95569", // window_end: 1767225660 s
                "0300000000000000", // count: UInt64
                "343333333333d33f", // sum: 0x3fd3333333333334
                "00000000d8f310fd", // min: 0xfd10f3d800000000
                "0000000000000080", // max: -0.0, sign bit only
                "03", // kind: Enum8 'late' = 3
                "0700000000000000", // version: UInt64
                "c396db769b010000", // emitted_at: 1767225661123 ms, UInt64
                "00", // quantile_levels: Array(Float64), empty (no stats configured)
                "00", // quantiles
                "00", // quantile_sketch: String, empty
                "01", // distinct_count: Nullable(UInt64), NULL
                "00", // distinct_sketch
                "010101"); // anomaly_score, anomaly_baseline, anomaly_flagged: NULL
        assertThat(HexFormat.of().formatHex(ClickHouseRowBinary.encode(r))).isEqualTo(expected);
    }

    @Test
    void statsAreArraysStringsAndNullablesAfterTheV001Columns() {
        WindowRow r = new WindowRow("t", "a", "s", 0, 60_000, 1, 1, 1, 1, Kind.FINAL, 3, 0)
                .withStats(new io.rollcast.model.WindowStats(
                        new double[] {0.5},
                        new double[] {-0.0},
                        new byte[] {9, 8},
                        5,
                        new byte[] {7},
                        new io.rollcast.model.WindowStats.Anomaly(1.5, 2.0, true)));
        byte[] row = ClickHouseRowBinary.encode(r);
        String hex = HexFormat.of().formatHex(row);
        assertThat(hex)
                .endsWith(String.join(
                        "",
                        "01" + "000000000000e03f", // quantile_levels: [0.5]
                        "01" + "0000000000000080", // quantiles: [-0.0], raw bits
                        "02" + "0908", // quantile_sketch
                        "00" + "0500000000000000", // distinct_count: not NULL, 5
                        "01" + "07", // distinct_sketch
                        "00" + "000000000000f83f", // anomaly_score 1.5
                        "00" + "0000000000000040", // anomaly_baseline 2.0
                        "00" + "01")); // anomaly_flagged
    }

    @Test
    void stringLengthsAreUnsignedLeb128() {
        assertThat(prefix(127, 1)).isEqualTo("7f");
        assertThat(prefix(128, 2)).isEqualTo("8001");
        assertThat(prefix(200, 2)).isEqualTo("c801");
        assertThat(prefix(16_384, 3)).isEqualTo("808001");
    }

    private static String prefix(int tenantLength, int bytes) {
        WindowRow r = new WindowRow("x".repeat(tenantLength), "a", "s", 0, 60_000, 1, 1, 1, 1, Kind.FINAL, 3, 0);
        byte[] row = ClickHouseRowBinary.encode(r);
        assertThat(row)
                .hasSize(bytes + tenantLength + 2 + 2 + 57 + 8); // + V002: 2 empty arrays, 2 empty strings, 4 NULLs
        return HexFormat.of().formatHex(row, 0, bytes);
    }

    @Test
    void theInsertNamesTheSchemasColumnsInTheirOrder() {
        List<String> columns = new ArrayList<>();
        Matcher m = Pattern.compile(
                        "(?m)^(?:\\s+|ALTER TABLE rollups ADD COLUMN )(\\w+)\\s+(String|DateTime|UInt64|Float64|Enum8|Array|Nullable)")
                .matcher(ALL_DDL);
        while (m.find()) columns.add(m.group(1));
        assertThat(String.join(", ", columns)).isEqualTo(RollupTable.COLUMNS);
        assertThat(RollupTable.clickHouseInsert("db.rollups"))
                .isEqualTo("INSERT INTO db.rollups (" + RollupTable.COLUMNS + ") FORMAT RowBinary");
    }

    @Test
    void kindIsTheSchemasEnum8Value() {
        for (Kind k : Kind.values()) {
            assertThat(DDL).contains("'" + k.code() + "' = " + ClickHouseRowBinary.enum8(k));
        }
    }

    @Test
    void windowBoundsOutsideWholeUInt32SecondsAreRefused() {
        WindowRow subSecond = new WindowRow("t", "a", "tumbling-500ms", 500, 1000, 1, 1, 1, 1, Kind.FINAL, 3, 0);
        assertThatThrownBy(() -> ClickHouseRowBinary.encode(subSecond)).hasMessageContaining("whole seconds");
        WindowRow after2106 = new WindowRow(
                "t", "a", "tumbling-1m", (1L << 32) * 1000, ((1L << 32) + 60) * 1000, 1, 1, 1, 1, Kind.FINAL, 3, 0);
        assertThatThrownBy(() -> ClickHouseRowBinary.encode(after2106)).hasMessageContaining("DateTime holds");
    }
}
