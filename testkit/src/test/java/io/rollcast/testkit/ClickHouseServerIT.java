package io.rollcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
@Timeout(120)
class ClickHouseServerIT {

    @Test
    void replacingMergeTreeFinalReturnsOnlyTheHighestVersion(ClickHouseServer clickhouse) {
        String db = clickhouse.freshDatabase("rollups");
        String table = db + ".agg_window";
        clickhouse.query("CREATE TABLE " + table + " (tenant_id String, metric String, window_start DateTime, "
                + "count UInt64, sum Float64, version UInt64) ENGINE = ReplacingMergeTree(version) "
                + "PARTITION BY toYYYYMM(window_start) ORDER BY (tenant_id, metric, window_start)");

        clickhouse.insertJsonEachRow(
                table,
                List.of(
                        "{\"tenant_id\":\"t1\",\"metric\":\"cpu\",\"window_start\":\"2026-01-01 00:00:00\",\"count\":5,\"sum\":2.5,\"version\":2}",
                        "{\"tenant_id\":\"t1\",\"metric\":\"cpu\",\"window_start\":\"2026-01-01 00:00:00\",\"count\":3,\"sum\":1.5,\"version\":1}"));

        String rows = clickhouse.query("SELECT tenant_id, count, sum, version FROM " + table
                + " FINAL ORDER BY tenant_id FORMAT TabSeparated");
        assertThat(rows.lines()).containsExactly("t1\t5\t2.5\t2");
    }
}
