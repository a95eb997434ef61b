package io.rollcast.store;

import io.rollcast.model.Identifiers;
import io.rollcast.model.WindowStats;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The rollup table of both stores ({@code sql/postgres}, {@code sql/clickhouse}): its columns and the
 * statements that write and read it. Only a validated identifier is ever spliced in; every value is
 * a bound parameter (Postgres) or the RowBinary body (ClickHouse).
 */
public final class RollupTable {
    /** The table's name inside the configured ClickHouse database. */
    public static final String NAME_IN_CLICKHOUSE = "rollups";

    /** The optional statistics (V002), in {@link WindowStats} order; NULL (Postgres) or empty/NULL (ClickHouse) when absent. */
    public static final String STATS_COLUMNS = "quantile_levels, quantiles, quantile_sketch, distinct_count,"
            + " distinct_sketch, anomaly_score, anomaly_baseline, anomaly_flagged";

    /** Every column, in the order rows are written and read. */
    public static final String COLUMNS =
            "tenant_id, event_type, spec, window_start, window_end, count, sum, min, max, kind, version, emitted_at, "
                    + STATS_COLUMNS;

    private RollupTable() {}

    /** Postgres: the version-guarded upsert, one row of 20 bound parameters in {@link #COLUMNS} order. */
    public static String postgresUpsert(String table) {
        String t = Identifiers.require("Postgres table", table);
        return "INSERT INTO " + t + " AS r (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + postgresOnConflict();
    }

    /** Postgres: the conflict clause of every upsert: a stored row is only replaced by a higher version. */
    static String postgresOnConflict() {
        return " ON CONFLICT (tenant_id, spec, window_start, event_type) DO UPDATE SET"
                + " window_end = EXCLUDED.window_end, count = EXCLUDED.count, sum = EXCLUDED.sum, min = EXCLUDED.min,"
                + " max = EXCLUDED.max, kind = EXCLUDED.kind, version = EXCLUDED.version, emitted_at = EXCLUDED.emitted_at,"
                + " quantile_levels = EXCLUDED.quantile_levels, quantiles = EXCLUDED.quantiles,"
                + " quantile_sketch = EXCLUDED.quantile_sketch, distinct_count = EXCLUDED.distinct_count,"
                + " distinct_sketch = EXCLUDED.distinct_sketch, anomaly_score = EXCLUDED.anomaly_score,"
                + " anomaly_baseline = EXCLUDED.anomaly_baseline, anomaly_flagged = EXCLUDED.anomaly_flagged"
                + " WHERE r.version < EXCLUDED.version";
    }

    /** Postgres: the rows of a tenant and spec with {@code ? <= window_start < ?}, optionally of one type. */
    public static String postgresRange(String table, boolean oneType) {
        String t = Identifiers.require("Postgres table", table);
        return "SELECT " + COLUMNS + " FROM " + t
                + " WHERE tenant_id = ? AND spec = ? AND window_start >= ? AND window_start < ?"
                + (oneType ? " AND event_type = ?" : "") + " ORDER BY window_start, event_type";
    }

    /** ClickHouse: the insert whose body is a concatenation of {@link ClickHouseRowBinary#encode} rows. */
    public static String clickHouseInsert(String table) {
        return "INSERT INTO " + table + " (" + COLUMNS + ") FORMAT RowBinary";
    }

    /** Postgres: binds {@code s} (may be null) to the 8 parameters of {@link #STATS_COLUMNS} from {@code first}. */
    public static void bindPostgresStats(PreparedStatement ps, int first, WindowStats s) throws SQLException {
        boolean q = s != null && s.hasQuantiles();
        boolean d = s != null && s.hasDistinct();
        WindowStats.Anomaly a = s == null ? null : s.anomaly();
        if (q) {
            ps.setObject(first, s.quantileLevels());
            ps.setObject(first + 1, s.quantiles());
            ps.setBytes(first + 2, s.quantileSketch());
        } else {
            ps.setNull(first, Types.ARRAY);
            ps.setNull(first + 1, Types.ARRAY);
            ps.setNull(first + 2, Types.BINARY);
        }
        if (d) {
            ps.setLong(first + 3, s.distinct());
            ps.setBytes(first + 4, s.distinctSketch());
        } else {
            ps.setNull(first + 3, Types.BIGINT);
            ps.setNull(first + 4, Types.BINARY);
        }
        if (a != null) {
            ps.setDouble(first + 5, a.score());
            ps.setDouble(first + 6, a.baseline());
            ps.setBoolean(first + 7, a.flagged());
        } else {
            ps.setNull(first + 5, Types.DOUBLE);
            ps.setNull(first + 6, Types.DOUBLE);
            ps.setNull(first + 7, Types.BOOLEAN);
        }
    }

    /** Postgres: the stats of a result row whose {@link #STATS_COLUMNS} start at {@code first}, or null when none. */
    public static WindowStats readPostgresStats(ResultSet rs, int first) throws SQLException {
        double[] levels = doubles(rs.getArray(first));
        double[] quantiles = doubles(rs.getArray(first + 1));
        byte[] qSketch = rs.getBytes(first + 2);
        long distinct = rs.getLong(first + 3);
        if (rs.wasNull()) distinct = -1;
        byte[] dSketch = rs.getBytes(first + 4);
        double score = rs.getDouble(first + 5);
        boolean anomaly = !rs.wasNull();
        double baseline = rs.getDouble(first + 6);
        boolean flagged = rs.getBoolean(first + 7);
        if (levels == null && distinct < 0 && !anomaly) return null;
        return new WindowStats(
                levels,
                quantiles,
                qSketch,
                distinct,
                dSketch,
                anomaly ? new WindowStats.Anomaly(score, baseline, flagged) : null);
    }

    private static double[] doubles(Array a) throws SQLException {
        if (a == null) return null;
        Object[] v = (Object[]) a.getArray();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = ((Number) v[i]).doubleValue();
        return out;
    }
}
