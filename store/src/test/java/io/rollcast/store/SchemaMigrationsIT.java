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
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups")).containsExactly("V001__rollups");
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups")).isEmpty();
        // another configured table gets its own history
        assertThat(SchemaMigrations.applyPostgres(url, "", "", "rollups_b")).containsExactly("V001__rollups");
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
                            "SELECT target || ':' || version FROM " + SchemaMigrations.HISTORY + " ORDER BY target"))
                    .containsExactly("rollups:1", "rollups_b:1");
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
        assertThat(SchemaMigrations.applyClickHouse(s)).containsExactly("V001__rollups");
        assertThat(SchemaMigrations.applyClickHouse(s)).isEmpty();
        String ddl = ch.query("SHOW CREATE TABLE " + s.table() + " FORMAT TabSeparatedRaw");
        assertThat(ddl)
                .contains("ReplacingMergeTree(version)")
                .contains("PARTITION BY toYYYYMM(window_start)")
                .contains("ORDER BY (tenant_id, spec, window_start, event_type)");
        assertThat(ch.query("SELECT count() FROM " + s.database() + "." + SchemaMigrations.HISTORY
                        + " FORMAT TabSeparated"))
                .isEqualTo("1\n");
    }

    private static List<String> strings(Statement st, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
