package io.rollcast.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
@Timeout(120)
class PostgresServerIT {

    @Test
    void rowWrittenInFreshDatabaseIsReadBack(PostgresServer postgres) throws Exception {
        String url = postgres.freshDatabase("rollups");

        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(c.getCatalog()).startsWith("rollups_");
            try (Statement s = c.createStatement()) {
                s.execute(
                        "CREATE TABLE agg (tenant_id text, metric text, version bigint, PRIMARY KEY (tenant_id, metric))");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO agg VALUES (?, ?, ?) ON CONFLICT (tenant_id, metric) DO UPDATE SET version = EXCLUDED.version "
                            + "WHERE agg.version < EXCLUDED.version")) {
                for (long version : new long[] {1, 3, 2}) {
                    ps.setString(1, "t1");
                    ps.setString(2, "cpu");
                    ps.setLong(3, version);
                    ps.executeUpdate();
                }
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT tenant_id, version FROM agg")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("t1");
                assertThat(rs.getLong(2)).isEqualTo(3);
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
