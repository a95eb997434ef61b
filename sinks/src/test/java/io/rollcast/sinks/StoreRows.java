package io.rollcast.sinks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.Identifiers;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.testkit.ClickHouseServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/** Test helper: reads whole rollup tables back as window rows and compares them with expectations. */
public final class StoreRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreRows() {}

    /** {@code tenant|type|spec|windowStart}, the key format of the jobs' oracle. */
    public static String key(String tenant, String type, String spec, long start) {
        return tenant + "|" + type + "|" + spec + "|" + start;
    }

    public static String key(WindowRow r) {
        return key(r.tenantId(), r.eventType(), r.spec(), r.windowStart());
    }

    /** The row a "highest version wins" store must end with, per window. */
    public static Map<String, WindowRow> highestVersions(Collection<WindowRow> rows) {
        Map<String, WindowRow> out = new TreeMap<>();
        for (WindowRow r : rows) out.merge(key(r), r, (a, b) -> b.version() > a.version() ? b : a);
        return out;
    }

    /** Every row of the Postgres table. */
    public static Map<String, WindowRow> postgres(String jdbcUrl, String table) {
        Map<String, WindowRow> out = new TreeMap<>();
        // doubles as their 8 IEEE bytes (float8send, big-endian): no text conversion that could round
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT tenant_id, event_type, spec, window_start, window_end, count,"
                        + " float8send(sum), float8send(min), float8send(max),"
                        + " kind, version, emitted_at FROM " + Identifiers.require("table", table))) {
            while (rs.next()) {
                WindowRow r = new WindowRow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        ms(rs, 4),
                        ms(rs, 5),
                        rs.getLong(6),
                        float8(rs, 7),
                        float8(rs, 8),
                        float8(rs, 9),
                        Kind.valueOf(rs.getString(10).toUpperCase(Locale.ROOT)),
                        rs.getLong(11),
                        ms(rs, 12));
                if (out.put(key(r), r) != null) throw new IllegalStateException("two rows for " + key(r));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static double float8(ResultSet rs, int col) throws SQLException {
        return ByteBuffer.wrap(rs.getBytes(col)).getDouble();
    }

    private static long ms(ResultSet rs, int col) throws SQLException {
        return rs.getObject(col, OffsetDateTime.class).toInstant().toEpochMilli();
    }

    /**
     * Every row of {@code <database>.rollups} as readers see it, with {@code FINAL}. Doubles are read
     * as their bit patterns ({@code UInt64}), because a text rendering of a Float64 could itself round:
     * {@code reinterpretAsUInt64(reinterpretAsString(x))} works on 18.16, which cannot reinterpret a
     * Float64 directly, and on modern servers.
     */
    public static Map<String, WindowRow> clickhouse(ClickHouseServer ch, String database) {
        return clickhouseRows(ch.query(clickhouseSelect(database)));
    }

    /** The SELECT of {@link #clickhouse}: {@code <database>.rollups FINAL}, doubles as their bits, JSONEachRow. */
    public static String clickhouseSelect(String database) {
        return "SELECT tenant_id, event_type, spec, toUInt32(window_start) AS ws, toUInt32(window_end) AS we,"
                + " count, " + bits("sum") + ", " + bits("min") + ", " + bits("max")
                + ", kind, version, emitted_at FROM "
                + Identifiers.require("database", database) + ".rollups FINAL FORMAT JSONEachRow";
    }

    /** The rows of a {@link #clickhouseSelect} answer, by {@link #key}. */
    public static Map<String, WindowRow> clickhouseRows(String body) {
        Map<String, WindowRow> out = new TreeMap<>();
        try {
            for (String line : body.split("\n")) {
                if (line.isBlank()) continue;
                JsonNode n = JSON.readTree(line);
                WindowRow r = new WindowRow(
                        n.get("tenant_id").asText(),
                        n.get("event_type").asText(),
                        n.get("spec").asText(),
                        n.get("ws").asLong() * 1000,
                        n.get("we").asLong() * 1000,
                        Long.parseLong(n.get("count").asText()),
                        float64(n, "sum"),
                        float64(n, "min"),
                        float64(n, "max"),
                        Kind.valueOf(n.get("kind").asText().toUpperCase(Locale.ROOT)),
                        Long.parseLong(n.get("version").asText()),
                        Long.parseLong(n.get("emitted_at").asText()));
                if (out.put(key(r), r) != null)
                    throw new IllegalStateException("FINAL returned two rows for " + key(r));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String bits(String column) {
        return "reinterpretAsUInt64(reinterpretAsString(" + column + ")) AS " + column + "_bits";
    }

    /** The double whose bits are the column's {@code UInt64} (quoted or not in JSON). */
    private static double float64(JsonNode row, String column) {
        return Double.longBitsToDouble(
                Long.parseUnsignedLong(row.get(column + "_bits").asText()));
    }

    /**
     * Exact double equality ({@link Double#compare}: -0.0 differs from 0.0). The ClickHouse sink inserts
     * RowBinary, so both stores hold the job's doubles exactly.
     */
    public static final BiPredicate<Double, Double> EXACT = (a, b) -> Double.compare(a, b) == 0;

    /** Differences of whole rows (at most {@code limit}); doubles compared with {@code same}. */
    public static List<String> diff(
            Map<String, WindowRow> expected,
            Map<String, WindowRow> actual,
            BiPredicate<Double, Double> same,
            int limit) {
        List<String> d = new ArrayList<>();
        for (var e : expected.entrySet()) {
            WindowRow x = e.getValue();
            WindowRow a = actual.get(e.getKey());
            boolean equal = a != null
                    && x.windowEnd() == a.windowEnd()
                    && x.count() == a.count()
                    && x.kind() == a.kind()
                    && x.version() == a.version()
                    && x.emittedAt() == a.emittedAt()
                    && same.test(x.sum(), a.sum())
                    && same.test(x.min(), a.min())
                    && same.test(x.max(), a.max());
            if (!equal && d.size() < limit) d.add(e.getKey() + ": expected " + x + " got " + a);
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k) && d.size() < limit) d.add(k + ": unexpected " + actual.get(k));
        }
        return d;
    }

    /** Differences in count, sum, min and max only, against values computed elsewhere (e.g. an oracle). */
    public static List<String> diffValues(
            Map<String, double[]> expected,
            Map<String, WindowRow> actual,
            BiPredicate<Double, Double> same,
            int limit) {
        List<String> d = new ArrayList<>();
        for (var e : expected.entrySet()) {
            double[] x = e.getValue(); // count, sum, min, max
            WindowRow a = actual.get(e.getKey());
            boolean equal = a != null
                    && a.count() == (long) x[0]
                    && same.test(x[1], a.sum())
                    && same.test(x[2], a.min())
                    && same.test(x[3], a.max());
            if (!equal && d.size() < limit) {
                d.add(e.getKey() + ": expected count=" + (long) x[0] + " sum=" + x[1] + " min=" + x[2] + " max=" + x[3]
                        + " got " + a);
            }
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k) && d.size() < limit) d.add(k + ": unexpected " + actual.get(k));
        }
        return d;
    }
}
