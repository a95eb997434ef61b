package io.rollcast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schema migrations applied to real stores: once, recorded, and guarded against edits. */
@ExtendWith(RealServers.class)
@Timeout(120)
class SchemaMigrationsIT {

    @Test
    void postgresMigrationsApplyOnceWithThePrimaryKeyOfTheReadQuery(PostgresServer pg) throws Exception {
        String url = pg.freshDatabase("schema");
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups"))
                .containsExactly("V001__rollups", "V002__window_stats", "V003__daily_partitions");
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups")).isEmpty();
        // another configured table gets its own history
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups_b"))
                .containsExactly("V001__rollups", "V002__window_stats", "V003__daily_partitions");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            assertThat(strings(
                            st,
                            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                                    + " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'rollups'::regclass AND i.indisprimary"
                                    + " ORDER BY array_position(i.indkey, a.attnum)"))
                    .containsExactly("tenant_id", "spec", "window_start", "event_type");
            assertThat(strings(
                            st,
                            "SELECT target || ':' || version FROM " + SchemaMigrations.HISTORY
                                    + " ORDER BY target, version"))
                    .containsExactly(
                            "rollups:1", "rollups:2", "rollups:3", "rollups_b:1", "rollups_b:2", "rollups_b:3");
            st.execute("UPDATE " + SchemaMigrations.HISTORY + " SET checksum = 'edited' WHERE target = 'rollups'");
        }
        assertThatThrownBy(() -> SchemaMigrations.applyPostgres(url, "", "", "rollups"))
                .hasMessageContaining("V001__rollups was changed after it was applied");
        assertThatThrownBy(() -> SchemaMigrations.applyPostgres(url, "", "", "rollups; DROP TABLE x"))
                .hasMessageContaining("is not an identifier");
    }

    @Test
    void clickhouseMigrationsCreateTheDatabaseAndApplyOnce(ClickHouseServer ch) {
        ClickHouseEndpoint s = new ClickHouseEndpoint(ch.httpUrl(), "schema_" + System.nanoTime(), "", "");
        assertThat(SchemaMigrations.applyClickHouse(s)).containsExactly("V001__rollups", "V002__window_stats");
        assertThat(SchemaMigrations.applyClickHouse(s)).isEmpty();
        String ddl = ch.query("SHOW CREATE TABLE " + s.table() + " FORMAT TabSeparatedRaw");
        assertThat(ddl)
                .contains("ReplacingMergeTree(version)")
                .contains("PARTITION BY toYYYYMM(window_start)")
                .contains("ORDER BY (tenant_id, spec, window_start, event_type)");
        assertThat(ch.query("SELECT count() FROM " + s.database() + "." + SchemaMigrations.HISTORY
                        + " FORMAT TabSeparated"))
                .isEqualTo("2\n");
    }

    @Test
    void aPostgresTableOfV001IsUpgradedInPlaceKeepingItsRows(PostgresServer pg) throws Exception {
        String url = pg.freshDatabase("upgrade");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            // a store as V001 left it: the table, one row, V001 recorded
            st.execute(SchemaMigrations.load("postgres").get(0).sql().replace("${table}", "rollups"));
            st.execute("INSERT INTO rollups VALUES ('t', 'x', 'tumbling-1m', '2026-01-01T00:00Z', '2026-01-01T00:01Z',"
                    + " 3, 4.5, 1, 2, 'final', 7, '2026-01-01T00:02Z')");
            // and 2 999 more over four days, to be spread over their day partitions by V003
            st.execute("INSERT INTO rollups SELECT 't', 'y', 'tumbling-1m', ts, ts + interval '1 minute', n, n * 1.5,"
                    + " 0, n, 'final', 2 * n + 1, ts + interval '2 minutes' FROM (SELECT g AS n, timestamptz"
                    + " '2025-12-31T23:00Z' + g * interval '1 minute' AS ts FROM generate_series(1, 2999) g) s");
            st.execute("CREATE TABLE " + SchemaMigrations.HISTORY + " (target text NOT NULL, version int NOT NULL,"
                    + " description text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
                    + " PRIMARY KEY (target, version))");
            st.execute("INSERT INTO " + SchemaMigrations.HISTORY + " (target, version, description, checksum) VALUES"
                    + " ('rollups', 1, 'rollups', '"
                    + SchemaMigrations.load("postgres").get(0).checksum() + "')");
        }
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups"))
                .containsExactly("V002__window_stats", "V003__daily_partitions");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            assertThat(strings(
                            st,
                            "SELECT count || ' ' || version || ' ' || (quantiles IS NULL) || ' '"
                                    + " || (distinct_count IS NULL) || ' ' || (anomaly_score IS NULL) FROM rollups"
                                    + " WHERE event_type = 'x'"))
                    .containsExactly("3 7 true true true");
            // every row kept, each in the partition of its UTC day, none left in the default partition
            assertThat(strings(
                            st,
                            "SELECT tableoid::regclass || ' ' || count(*) || ' ' || sum(count) FROM rollups"
                                    + " GROUP BY tableoid ORDER BY 1"))
                    .containsExactly(
                            "rollups_p20251231 59 1770",
                            "rollups_p20260101 1441 1122483",
                            "rollups_p20260102 1440 3196080",
                            "rollups_p20260103 60 178170");
            assertThat(strings(st, "SELECT count(*)::text FROM rollups_default"))
                    .containsExactly("0");
            assertThat(strings(st, "SELECT relkind::text FROM pg_class WHERE relname = 'rollups'"))
                    .containsExactly("p");
        }
    }

    @Test
    void aClickHouseTableOfV001IsUpgradedInPlaceAndAPartialRunIsCompleted(ClickHouseServer ch) {
        ClickHouseEndpoint s = new ClickHouseEndpoint(ch.httpUrl(), "upgrade_" + System.nanoTime(), "", "");
        ch.query("CREATE DATABASE " + s.database());
        ch.query(SchemaMigrations.load("clickhouse")
                .get(0)
                .sql()
                .replace("CREATE TABLE IF NOT EXISTS rollups", "CREATE TABLE " + s.table()));
        ch.query(
                "INSERT INTO " + s.table() + " (tenant_id, event_type, spec, window_start, window_end, count, sum, min,"
                        + " max, kind, version, emitted_at) VALUES ('t', 'x', 'tumbling-1m', 1767225600, 1767225660, 3, 4.5, 1,"
                        + " 2, 'final', 7, 0)");
        // the table of V001 with a row: upgraded in place (V001's DDL is IF NOT EXISTS)
        assertThat(SchemaMigrations.applyClickHouse(s)).containsExactly("V001__rollups", "V002__window_stats");
        // then as if V002 had been interrupted after adding some of its columns: a rerun completes it
        ch.query("ALTER TABLE " + s.table() + " DROP COLUMN anomaly_flagged");
        ch.query("ALTER TABLE " + s.table() + " DROP COLUMN anomaly_baseline");
        ch.query("ALTER TABLE " + s.database() + "." + SchemaMigrations.HISTORY + " DELETE WHERE version = 2");
        awaitNoV002(ch, s);
        assertThat(SchemaMigrations.applyClickHouse(s)).containsExactly("V002__window_stats");
        assertThat(ch.query("SELECT count, version, length(quantiles), isNull(distinct_count), isNull(anomaly_flagged)"
                        + " FROM " + s.table() + " FORMAT TabSeparated"))
                .isEqualTo("3\t7\t0\t1\t1\n");
    }

    /** ALTER ... DELETE is a mutation: it applies asynchronously. */
    private static void awaitNoV002(ClickHouseServer ch, ClickHouseEndpoint s) {
        for (int i = 0; i < 100; i++) {
            String n = ch.query("SELECT count() FROM " + s.database() + "." + SchemaMigrations.HISTORY
                    + " WHERE version = 2 FORMAT TabSeparated");
            if (n.equals("0\n")) return;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("the history row of V002 was not deleted");
    }

    private static List<String> strings(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
