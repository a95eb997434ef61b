package io.rollcast.store;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link RollupQuery} on the Postgres rollup table: one prepared statement with bound parameters,
 * answered by a range scan of the primary key index {@code (tenant_id, spec, window_start, event_type)}.
 *
 * <p>The table keeps only the highest version of each window (the sink's guarded upsert), so no
 * de-duplication is needed at read time.
 */
public final class PostgresRollupQuery implements RollupQuery {
    private final DataSource dataSource;
    private final String allTypesSql;
    private final String oneTypeSql;

    /** {@code table} is an identifier (validated); pass a pooled {@link DataSource} in a server. */
    public PostgresRollupQuery(DataSource dataSource, String table) {
        this.allTypesSql = RollupTable.postgresRange(table, false);
        this.oneTypeSql = RollupTable.postgresRange(table, true);
        this.dataSource = dataSource;
    }

    @Override
    public List<WindowRow> windows(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        return windows(tenant, spec, eventType, fromMs, toMs, Integer.MAX_VALUE);
    }

    @Override
    public List<WindowRow> windows(
            String tenant, String spec, Optional<String> eventType, long fromMs, long toMs, int limit) {
        RollupQuery.check(tenant, spec, eventType, fromMs, toMs);
        try (Connection c = dataSource.getConnection()) {
            return windows(c, tenant, spec, eventType, fromMs, toMs, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("Postgres rollup query failed: " + e.getMessage(), e);
        }
    }

    /** The same on a connection the caller manages (keeps server-side prepared statements warm). */
    public List<WindowRow> windows(
            Connection c, String tenant, String spec, Optional<String> eventType, long fromMs, long toMs)
            throws SQLException {
        return windows(c, tenant, spec, eventType, fromMs, toMs, Integer.MAX_VALUE);
    }

    /** At most {@code limit} rows, on a connection the caller manages. */
    public List<WindowRow> windows(
            Connection c, String tenant, String spec, Optional<String> eventType, long fromMs, long toMs, int limit)
            throws SQLException {
        RollupQuery.check(tenant, spec, eventType, fromMs, toMs);
        String sql = eventType.isPresent() ? oneTypeSql : allTypesSql;
        if (limit < Integer.MAX_VALUE) sql += " LIMIT " + Math.max(0, limit);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tenant);
            ps.setString(2, spec);
            ps.setObject(3, utc(fromMs));
            ps.setObject(4, utc(toMs));
            if (eventType.isPresent()) ps.setString(5, eventType.get());
            List<WindowRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new WindowRow(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            ms(rs, 4),
                            ms(rs, 5),
                            rs.getLong(6),
                            rs.getDouble(7),
                            rs.getDouble(8),
                            rs.getDouble(9),
                            Kind.of(rs.getString(10)),
                            rs.getLong(11),
                            ms(rs, 12),
                            RollupTable.readPostgresStats(rs, 13)));
                }
            }
            return out;
        }
    }

    private static OffsetDateTime utc(long epochMs) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
    }

    private static long ms(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli();
    }
}
