package io.rollcast.query;

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
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * {@link RollupQuery} on the Postgres rollup table: one prepared statement with bound parameters,
 * answered by a range scan of the primary key index {@code (tenant_id, spec, window_start, event_type)}.
 *
 * <p>The table keeps only the highest version of each window (the sink's guarded upsert), so no
 * de-duplication is needed at read time.
 */
public final class PostgresRollupQuery implements RollupQuery {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final String allTypesSql;
    private final String oneTypeSql;

    /** {@code table} is an identifier (validated); pass a pooled {@link DataSource} in a server. */
    public PostgresRollupQuery(DataSource dataSource, String table) {
        if (table == null || !IDENTIFIER.matcher(table).matches()) {
            throw new IllegalArgumentException("table '" + table + "' is not an identifier");
        }
        this.dataSource = dataSource;
        String select = "SELECT tenant_id, event_type, spec, window_start, window_end, count, sum, min, max, kind, version, emitted_at"
                + " FROM " + table + " WHERE tenant_id = ? AND spec = ? AND window_start >= ? AND window_start < ?";
        this.allTypesSql = select + " ORDER BY window_start, event_type";
        this.oneTypeSql = select + " AND event_type = ? ORDER BY window_start, event_type";
    }

    @Override
    public List<WindowRowDto> windows(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        RollupQuery.check(tenant, spec, eventType, fromMs, toMs);
        try (Connection c = dataSource.getConnection()) {
            return windows(c, tenant, spec, eventType, fromMs, toMs);
        } catch (SQLException e) {
            throw new IllegalStateException("Postgres rollup query failed: " + e.getMessage(), e);
        }
    }

    /** The same on a connection the caller manages (keeps server-side prepared statements warm). */
    public List<WindowRowDto> windows(Connection c, String tenant, String spec, Optional<String> eventType, long fromMs, long toMs)
            throws SQLException {
        RollupQuery.check(tenant, spec, eventType, fromMs, toMs);
        try (PreparedStatement ps = c.prepareStatement(eventType.isPresent() ? oneTypeSql : allTypesSql)) {
            ps.setString(1, tenant);
            ps.setString(2, spec);
            ps.setObject(3, utc(fromMs));
            ps.setObject(4, utc(toMs));
            if (eventType.isPresent()) ps.setString(5, eventType.get());
            List<WindowRowDto> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new WindowRowDto(rs.getString(1), rs.getString(2), rs.getString(3),
                            ms(rs, 4), ms(rs, 5), rs.getLong(6),
                            rs.getDouble(7), rs.getDouble(8), rs.getDouble(9), rs.getString(10), rs.getLong(11),
                            ms(rs, 12)));
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
