package io.rollcast.store;

import static io.rollcast.store.QueryFixtures.MIN;
import static io.rollcast.store.QueryFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.WindowRow;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.ds.PGSimpleDataSource;

@ExtendWith(RealServers.class)
@Timeout(120)
class PostgresRollupQueryIT {

    @Test
    void returnsOneTenantsWindowsOfOneSpecInTheRangeOrderedByWindowThenType(PostgresServer pg) throws Exception {
        String url = pg.freshDatabase("query");
        SchemaMigrations.applyPostgres(url, "", "", "rollups");
        List<WindowRow> rows = QueryFixtures.rows();
        QueryFixtures.insertPostgres(url, rows);
        PostgresRollupQuery q = new PostgresRollupQuery(dataSource(url), "rollups");

        // from inclusive, to exclusive
        assertThat(q.windows("t1", "tumbling-1m", Optional.empty(), T0 + 2 * MIN, T0 + 5 * MIN))
                .hasSize(6)
                .containsExactlyElementsOf(
                        QueryFixtures.expected(rows, "t1", "tumbling-1m", null, T0 + 2 * MIN, T0 + 5 * MIN));
        assertThat(q.windows("t2", "sliding-5m-1m", Optional.of("b"), T0, T0 + 60 * MIN))
                .hasSize(10)
                .containsExactlyElementsOf(QueryFixtures.expected(rows, "t2", "sliding-5m-1m", "b", T0, T0 + 60 * MIN));
        assertThat(q.windows("t3", "tumbling-1m", Optional.empty(), T0, T0 + 60 * MIN))
                .isEmpty();
        assertThat(q.windows("t1", "tumbling-1m", Optional.empty(), T0 + 3 * MIN, T0 + 3 * MIN))
                .isEmpty();
    }

    @Test
    void namesOutsideTheTenantCharsetAreRefusedBeforeAnyQuery(PostgresServer pg) {
        PostgresRollupQuery q = new PostgresRollupQuery(dataSource("jdbc:postgresql://127.0.0.1:1/never"), "rollups");
        assertThatThrownBy(() -> q.windows("t1' OR '1'='1", "tumbling-1m", Optional.empty(), 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> q.windows("t1", "tumbling 1m", Optional.empty(), 0, 1))
                .hasMessageContaining("spec");
        assertThatThrownBy(() -> q.windows("t1", "tumbling-1m", Optional.of(""), 0, 1))
                .hasMessageContaining("event type");
        assertThatThrownBy(() -> q.windows("t".repeat(65), "tumbling-1m", Optional.empty(), 0, 1))
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> new PostgresRollupQuery(dataSource("jdbc:postgresql://h/db"), "rollups;--"))
                .hasMessageContaining("not an identifier");
    }

    @Test
    void theRangeQueryIsServedByThePrimaryKeyIndex(PostgresServer pg) throws Exception {
        String url = pg.freshDatabase("plan");
        SchemaMigrations.applyPostgres(url, "", "", "rollups");
        try (Connection c = dataSource(url).getConnection();
                Statement st = c.createStatement()) {
            // 200 tenants x 2 specs x 24 h of minutes: big enough for the planner to prefer the index; the day's
            // partition made first, as the sink does (V003)
            st.execute("SELECT rollups_ensure_partition('2026-01-01')");
            st.execute(
                    "INSERT INTO rollups SELECT 'tenant-' || t, 'page.view', s, ts, ts + interval '1 minute', 1, 1, 1, 1, 'final', 3, ts"
                            + " FROM generate_series(1, 200) t, unnest(array['tumbling-1m', 'sliding-5m-1m']) s,"
                            + " generate_series(timestamptz '2026-01-01', timestamptz '2026-01-01 23:59', interval '1 minute') ts");
            st.execute("ANALYZE rollups");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = st.executeQuery(
                    "EXPLAIN SELECT * FROM rollups WHERE tenant_id = 'tenant-7' AND spec = 'tumbling-1m'"
                            + " AND window_start >= '2026-01-01 03:00+00' AND window_start < '2026-01-01 06:00+00' ORDER BY window_start, event_type")) {
                while (rs.next()) plan.append(rs.getString(1)).append('\n');
            }
            // an index scan, or a bitmap scan of the same index (the planner's cost choice), of the day's
            // partition only: never a table scan, and every predicate, the time range included, is an index condition
            assertThat(plan.toString())
                    .containsPattern("Index Scan (using|on) rollups_p20260101_\\w*pkey")
                    .doesNotContain("Seq Scan")
                    .doesNotContain("rollups_default")
                    .containsPattern(
                            "Index Cond: \\(\\(tenant_id = .*AND \\(spec = .*AND \\(window_start >= .*AND \\(window_start < ");
        }
    }

    private static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        return ds;
    }
}
