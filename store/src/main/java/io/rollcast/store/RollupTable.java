package io.rollcast.store;

import io.rollcast.model.Identifiers;

/**
 * The rollup table of both stores ({@code sql/postgres}, {@code sql/clickhouse}): its columns and the
 * statements that write and read it. Only a validated identifier is ever spliced in; every value is
 * a bound parameter (Postgres) or the RowBinary body (ClickHouse).
 */
public final class RollupTable {
    /** The table's name inside the configured ClickHouse database. */
    public static final String NAME_IN_CLICKHOUSE = "rollups";

    /** Every column, in the order rows are written and read. */
    public static final String COLUMNS =
            "tenant_id, event_type, spec, window_start, window_end, count, sum, min, max, kind, version, emitted_at";

    private RollupTable() {}

    /** Postgres: the version-guarded upsert, one row of 12 bound parameters in {@link #COLUMNS} order. */
    public static String postgresUpsert(String table) {
        String t = Identifiers.require("Postgres table", table);
        return "INSERT INTO " + t + " AS r (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant_id, spec, window_start, event_type) DO UPDATE SET"
                + " window_end = EXCLUDED.window_end, count = EXCLUDED.count, sum = EXCLUDED.sum, min = EXCLUDED.min,"
                + " max = EXCLUDED.max, kind = EXCLUDED.kind, version = EXCLUDED.version, emitted_at = EXCLUDED.emitted_at"
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
}
