package io.rollcast.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retention drops whole partitions older than the cutoff, and only those: Postgres days, ClickHouse
 * months; what remains is checked by plain counts per day written by the test, and a second run drops
 * nothing.
 */
@ExtendWith(RealServers.class)
@Timeout(120)
class RetentionIT {
    static final Instant CUTOFF = Instant.parse("2026-11-03T12:00:00Z"); // now 2026-12-03T12:00Z, 30 days

    @Test
    void postgresDropsTheDayPartitionsEndingBeforeTheCutoffAndStrayOldRowsOfTheDefaultPartition(PostgresServer pg)
            throws Exception {
        String url = pg.freshDatabase("retention");
        SchemaMigrations.applyPostgres(url, "", "", "rollups");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            // 10 rows a day on Sept 10, Nov 2, Nov 3 (the cutoff's day) and Dec 1; all but Nov 2 in their partitions
            for (String day : List.of("2026-09-10", "2026-11-02", "2026-11-03", "2026-12-01")) {
                st.execute("INSERT INTO rollups SELECT 't', 'e' || g, 'tumbling-1m', timestamptz '" + day
                        + "T05:00Z', timestamptz '" + day + "T05:01Z', 1, 1, 1, 1, 'final', 3, now()"
                        + " FROM generate_series(1, 10) g");
                if (!day.equals("2026-11-02")) st.execute("SELECT rollups_ensure_partition('" + day + "')");
            }
            assertThat(perPartition(st))
                    .containsExactly(
                            "rollups_default 10",
                            "rollups_p20260910 10",
                            "rollups_p20261103 10",
                            "rollups_p20261201 10");

            List<Retention.Dropped> dry = Retention.postgres(url, "", "", "rollups", CUTOFF, true);
            assertThat(perPartition(st)).hasSize(4).contains("rollups_default 10");
            List<Retention.Dropped> done = Retention.postgres(url, "", "", "rollups", CUTOFF, false);
            assertThat(done).isEqualTo(dry);
            assertThat(done)
                    .extracting(d -> d.partition() + " " + d.rows())
                    .containsExactly("rollups_p20260910 10", "rollups_default (rows older than the cutoff) 10");
            // the cutoff's own day is kept: its partition ends after the cutoff
            assertThat(perPartition(st))
                    .containsExactly("rollups_default 0", "rollups_p20261103 10", "rollups_p20261201 10");
            assertThat(count(st, "SELECT count(*) FROM rollups WHERE window_start < '2026-11-03T00:00Z'"))
                    .isZero();
            assertThat(count(st, "SELECT count(*) FROM rollups")).isEqualTo(20);
            assertThat(Retention.postgres(url, "", "", "rollups", CUTOFF, false))
                    .isEmpty();
        }
    }

    @Test
    void clickhouseDropsOnlyTheMonthsThatEndBeforeTheCutoff(ClickHouseServer ch) {
        ClickHouseEndpoint e = new ClickHouseEndpoint(ch.httpUrl(), "retention_" + System.nanoTime(), "", "");
        SchemaMigrations.applyClickHouse(e);
        List<String> rows = new ArrayList<>();
        for (String day : List.of("2026-09-10", "2026-10-31", "2026-11-01", "2026-12-01")) {
            long s = Instant.parse(day + "T05:00:00Z").getEpochSecond();
            for (int g = 0; g < 10; g++) {
                rows.add("{\"tenant_id\":\"t\",\"event_type\":\"e" + g + "\",\"spec\":\"tumbling-1m\",\"window_start\":"
                        + s + ",\"window_end\":" + (s + 60) + ",\"count\":1,\"sum\":1,\"min\":1,\"max\":1,"
                        + "\"kind\":\"final\",\"version\":3,\"emitted_at\":0}");
            }
        }
        ch.insertJsonEachRow(e.table(), rows);
        List<Retention.Dropped> done = Retention.clickhouse(e, CUTOFF, false);
        assertThat(done)
                .extracting(d -> d.partition() + " " + d.rows())
                .containsExactly(e.table() + " 2026-09 10", e.table() + " 2026-10 10");
        // November ends after the cutoff: kept whole, with its rows older than the cutoff (month granularity)
        assertThat(ch.query("SELECT toYYYYMM(window_start) AS m, count() FROM " + e.table()
                        + " GROUP BY m ORDER BY m FORMAT TabSeparated"))
                .isEqualTo("202611\t10\n202612\t10\n");
        assertThat(Retention.clickhouse(e, CUTOFF, false)).isEmpty();
    }

    private static List<String> perPartition(Statement st) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs =
                st.executeQuery("SELECT c.relname, (SELECT count(*) FROM rollups r WHERE r.tableoid = c.oid)"
                        + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'rollups'::regclass"
                        + " ORDER BY 1")) {
            while (rs.next()) out.add(rs.getString(1) + " " + rs.getLong(2));
        }
        return out;
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
