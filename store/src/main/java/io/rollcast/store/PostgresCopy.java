package io.rollcast.store;

import io.rollcast.model.Identifiers;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import java.time.Instant;

/**
 * Postgres bulk upsert: rows are copied ({@code COPY ... FROM STDIN}, text format) into a session's
 * temporary staging table, then merged into the rollup table by one {@code INSERT ... SELECT ... ON
 * CONFLICT} with the same version guard as {@link RollupTable#postgresUpsert}. One statement per
 * batch instead of one per row; the staging table empties itself at every commit.
 *
 * <p>A batch must hold each window once (the merge cannot update one row twice): the sink keeps the
 * highest version of each window of a batch, which is what the version guard would keep anyway.
 */
public final class PostgresCopy {
    /** The staging table of a session (temporary, so each connection has its own). */
    public static final String STAGING = "rollcast_staging";

    private PostgresCopy() {}

    /** Creates the session's staging table, shaped like {@code table}, emptied at every commit. */
    public static String createStaging(String table) {
        return "CREATE TEMP TABLE IF NOT EXISTS " + STAGING + " (LIKE " + Identifiers.require("Postgres table", table)
                + ") ON COMMIT DELETE ROWS";
    }

    /** The COPY into the staging table; its input is {@link #append} lines. */
    public static String copyIn() {
        return "COPY " + STAGING + " (" + RollupTable.COLUMNS + ") FROM STDIN";
    }

    /** Merges the staging table into {@code table}: a row only replaces a lower version. */
    public static String merge(String table) {
        String t = Identifiers.require("Postgres table", table);
        return "INSERT INTO " + t + " AS r (" + RollupTable.COLUMNS + ") SELECT " + RollupTable.COLUMNS + " FROM "
                + STAGING + RollupTable.postgresOnConflict();
    }

    /** Creates the day partition (V003) of the bound {@code date} if it is missing. */
    public static String ensurePartition(String table) {
        return "SELECT " + Identifiers.require("Postgres table", table) + "_ensure_partition(?)";
    }

    /** Appends {@code r} as one line of COPY text format, in {@link RollupTable#COLUMNS} order. */
    public static void append(StringBuilder b, WindowRow r) {
        text(b, r.tenantId()).append('\t');
        text(b, r.eventType()).append('\t');
        text(b, r.spec()).append('\t');
        b.append(Instant.ofEpochMilli(r.windowStart())).append('\t');
        b.append(Instant.ofEpochMilli(r.windowEnd())).append('\t');
        b.append(r.count()).append('\t');
        b.append(r.sum()).append('\t'); // Double.toString round-trips exactly; NaN and Infinity as Postgres spells them
        b.append(r.min()).append('\t');
        b.append(r.max()).append('\t');
        b.append(r.kind().code()).append('\t');
        b.append(r.version()).append('\t');
        b.append(Instant.ofEpochMilli(r.emittedAt())).append('\t');
        WindowStats s = r.stats();
        if (s != null && s.hasQuantiles()) {
            array(b, s.quantileLevels()).append('\t');
            array(b, s.quantiles()).append('\t');
            bytea(b, s.quantileSketch()).append('\t');
        } else {
            b.append("\\N\t\\N\t\\N\t");
        }
        if (s != null && s.hasDistinct()) {
            b.append(s.distinct()).append('\t');
            bytea(b, s.distinctSketch()).append('\t');
        } else {
            b.append("\\N\t\\N\t");
        }
        WindowStats.Anomaly a = s == null ? null : s.anomaly();
        if (a != null) {
            b.append(a.score()).append('\t').append(a.baseline()).append('\t').append(a.flagged() ? 't' : 'f');
        } else {
            b.append("\\N\t\\N\t\\N");
        }
        b.append('\n');
    }

    /** A text field: backslash, tab, newline and carriage return escaped as COPY reads them. */
    static StringBuilder text(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b;
    }

    private static StringBuilder array(StringBuilder b, double[] xs) {
        b.append('{');
        for (int i = 0; i < xs.length; i++) {
            if (i > 0) b.append(',');
            b.append(xs[i]);
        }
        return b.append('}');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** bytea in hex ({@code \x0a1b}), its backslash escaped for COPY. */
    private static StringBuilder bytea(StringBuilder b, byte[] bytes) {
        b.append("\\\\x");
        for (byte x : bytes) b.append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
        return b;
    }
}
