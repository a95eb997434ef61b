package io.rollcast.store;

import io.rollcast.model.Identifiers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drops the rows older than a cutoff from the hot stores by whole partitions, never by row deletes:
 * Postgres day partitions ({@code <table>_pYYYYMMDD}, V003) whose day ends at or before the cutoff,
 * ClickHouse month partitions ({@code toYYYYMM(window_start)}, V001) whose month ends at or before it.
 * Idempotent: a second run with the same cutoff finds nothing to drop. docs/stores.md "Retention".
 */
public final class Retention {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final Pattern MONTH = Pattern.compile("(\\d{4})(\\d{2})");

    /** One partition dropped (or, on a dry run, to drop). */
    public record Dropped(String store, String partition, long rows) {}

    private Retention() {}

    /**
     * Postgres: drops the day partitions of {@code table} that end at or before {@code cutoff}, and
     * deletes the default partition's rows older than it (rows of days without a partition: normally
     * none). Each drop takes a brief ACCESS EXCLUSIVE lock on the table, waiting at most 5 s for it
     * (else that partition is left for the next run).
     */
    public static List<Dropped> postgres(
            String url, String user, String password, String table, Instant cutoff, boolean dryRun)
            throws SQLException {
        String t = Identifiers.require("Postgres table", table);
        Pattern name = Pattern.compile(Pattern.quote(t) + "_p(\\d{8})");
        Properties p = new Properties();
        if (!user.isEmpty()) p.setProperty("user", user);
        if (!password.isEmpty()) p.setProperty("password", password);
        p.setProperty("ApplicationName", "rollcast retention");
        List<Dropped> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, p)) {
            List<String> parts = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON"
                    + " c.oid = i.inhrelid WHERE i.inhparent = to_regclass(?) ORDER BY c.relname")) {
                ps.setString(1, t);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) parts.add(rs.getString(1));
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '5s'");
                for (String part : parts) {
                    Matcher m = name.matcher(part);
                    if (!m.matches()) continue;
                    LocalDate day = LocalDate.parse(m.group(1), DAY);
                    if (day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff)) continue;
                    long rows = count(s, "SELECT count(*) FROM " + part);
                    if (!dryRun) s.execute("DROP TABLE " + part);
                    out.add(new Dropped("postgres", part, rows));
                }
                String def = t + "_default";
                if (parts.contains(def)) {
                    String where = " WHERE window_start < '" + OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC) + "'";
                    long rows = count(s, "SELECT count(*) FROM " + def + where);
                    if (rows > 0) {
                        if (!dryRun) s.execute("DELETE FROM " + def + where);
                        out.add(new Dropped("postgres", def + " (rows older than the cutoff)", rows));
                    }
                }
            }
        }
        return out;
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * ClickHouse: drops the month partitions of the rollups table that end at or before {@code cutoff}
     * (the table's partition key is the month since V001; 18.16 has no TTL), so a month is kept until
     * its last day is past the cutoff.
     */
    public static List<Dropped> clickhouse(ClickHouseEndpoint endpoint, Instant cutoff, boolean dryRun) {
        ClickHouseHttp http = new ClickHouseHttp(endpoint);
        Duration timeout = Duration.ofSeconds(60);
        String parts = http.execute(
                "SELECT partition, sum(rows) FROM system.parts WHERE active AND database = '" + endpoint.database()
                        + "' AND table = '" + RollupTable.NAME_IN_CLICKHOUSE
                        + "' GROUP BY partition ORDER BY partition FORMAT TabSeparated",
                "",
                timeout);
        List<Dropped> out = new ArrayList<>();
        for (String line : parts.split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t");
            Matcher m = MONTH.matcher(f[0].replace("'", ""));
            if (!m.matches()) continue;
            YearMonth month = YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            Instant end =
                    month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (end.isAfter(cutoff)) continue;
            if (!dryRun) {
                http.execute(
                        "ALTER TABLE " + endpoint.table() + " DROP PARTITION " + m.group(1) + m.group(2), "", timeout);
            }
            out.add(new Dropped(
                    "clickhouse",
                    endpoint.database() + "." + RollupTable.NAME_IN_CLICKHOUSE + " " + month,
                    Long.parseLong(f[1].trim())));
        }
        return out;
    }
}
