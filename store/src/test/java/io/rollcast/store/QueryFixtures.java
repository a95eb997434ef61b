package io.rollcast.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.testkit.ClickHouseServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test data for the query ITs: a few tenants, types and specs, written straight into the tables. */
final class QueryFixtures {
    static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final long MIN = 60_000;

    private QueryFixtures() {}

    /** t1 and t2, types a and b, tumbling-1m and sliding-5m-1m, ten windows each. */
    static List<WindowRow> rows() {
        List<WindowRow> out = new ArrayList<>();
        for (String tenant : List.of("t1", "t2")) {
            for (String type : List.of("a", "b")) {
                for (String spec : List.of("tumbling-1m", "sliding-5m-1m")) {
                    long size = spec.startsWith("tumbling") ? MIN : 5 * MIN;
                    for (int i = 0; i < 10; i++) {
                        long count = 1 + i + (type.equals("b") ? 100 : 0) + (tenant.equals("t2") ? 1000 : 0);
                        out.add(new WindowRow(
                                tenant,
                                type,
                                spec,
                                T0 + i * MIN,
                                T0 + i * MIN + size,
                                count,
                                count * 1.25 + 0.5, // dyadic: exact even through 18.16's float parser
                                -0.5,
                                count + 0.75,
                                Kind.FINAL,
                                2 * count + 1,
                                T0 + i * MIN + size + 1_234));
                    }
                }
            }
        }
        return out;
    }

    static void insertPostgres(String url, List<WindowRow> rows) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO rollups (tenant_id, event_type, spec, window_start, window_end, count, sum, min, max, kind, version, emitted_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (WindowRow r : rows) {
                ps.setString(1, r.tenantId());
                ps.setString(2, r.eventType());
                ps.setString(3, r.spec());
                ps.setObject(4, utc(r.windowStart()));
                ps.setObject(5, utc(r.windowEnd()));
                ps.setLong(6, r.count());
                ps.setDouble(7, r.sum());
                ps.setDouble(8, r.min());
                ps.setDouble(9, r.max());
                ps.setString(10, r.kind().code());
                ps.setLong(11, r.version());
                ps.setObject(12, utc(r.emittedAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static void insertClickHouse(ClickHouseServer ch, String database, List<WindowRow> rows) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (WindowRow r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tenant_id", r.tenantId());
            m.put("event_type", r.eventType());
            m.put("spec", r.spec());
            m.put("window_start", r.windowStart() / 1000);
            m.put("window_end", r.windowEnd() / 1000);
            m.put("count", r.count());
            m.put("sum", r.sum());
            m.put("min", r.min());
            m.put("max", r.max());
            m.put("kind", r.kind().code());
            m.put("version", r.version());
            m.put("emitted_at", r.emittedAt());
            lines.add(json.writeValueAsString(m));
        }
        ch.insertJsonEachRow(database + ".rollups", lines);
    }

    static OffsetDateTime utc(long ms) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
    }

    /** The rows a query for (tenant, spec, type?, [from, to)) must return, in window then type order. */
    static List<WindowRow> expected(List<WindowRow> rows, String tenant, String spec, String type, long from, long to) {
        return rows.stream()
                .filter(r -> r.tenantId().equals(tenant)
                        && r.spec().equals(spec)
                        && (type == null || r.eventType().equals(type)))
                .filter(r -> r.windowStart() >= from && r.windowStart() < to)
                .sorted(java.util.Comparator.comparingLong(WindowRow::windowStart)
                        .thenComparing(WindowRow::eventType))
                .toList();
    }
}
