package io.rollcast.fanout;

import io.rollcast.fanout.auth.Tokens;
import io.rollcast.fanout.config.FanoutConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts fan-out servers for tests on a free port against real Redis (and Postgres), and mints tokens. */
public final class TestServer {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

    private TestServer() {}

    /** A server on a free port with {@code overrides} on top of the test defaults (store none). */
    public static FanoutServer start(String redisUri, Map<String, String> overrides) {
        return start(redisUri, overrides, java.time.Clock.systemUTC());
    }

    /** The same on {@code clock} (a simulation's). */
    public static FanoutServer start(String redisUri, Map<String, String> overrides, java.time.Clock clock) {
        Map<String, String> m = new HashMap<>();
        m.put("server.port", "0");
        m.put("auth.secret", SECRET);
        m.put("redis.uri", redisUri);
        m.put("store.type", "none");
        m.putAll(overrides);
        return FanoutServer.start(FanoutConfig.of(m), clock);
    }

    public static String token(String tenant, String... specs) {
        return Tokens.mint(SECRET, tenant, List.of(specs), Duration.ofHours(1));
    }

    /** Creates the rollups table (the migrations shipped under sql/postgres) in the database at {@code jdbcUrl}. */
    public static void createRollups(String jdbcUrl) throws Exception {
        io.rollcast.store.SchemaMigrations.applyPostgres(jdbcUrl, "", "", "rollups");
    }

    /** Inserts one stored window row (UTC times from epoch ms). */
    public static void insertRow(
            String jdbcUrl,
            String tenant,
            String type,
            String spec,
            long windowStart,
            long size,
            long count,
            double sum,
            long version)
            throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                var ps = c.prepareStatement(
                        "INSERT INTO rollups (tenant_id, event_type, spec, window_start, window_end, count, sum, min, max, kind, version, emitted_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'early', ?, ?)")) {
            ps.setString(1, tenant);
            ps.setString(2, type);
            ps.setString(3, spec);
            ps.setObject(4, utc(windowStart));
            ps.setObject(5, utc(windowStart + size));
            ps.setLong(6, count);
            ps.setDouble(7, sum);
            ps.setDouble(8, 0);
            ps.setDouble(9, sum);
            ps.setLong(10, version);
            ps.setObject(11, utc(System.currentTimeMillis()));
            ps.executeUpdate();
        }
    }

    /** A window row as a JSONEachRow line of the ClickHouse rollups table (window bounds in seconds). */
    public static String clickHouseJson(io.rollcast.model.WindowRow r) {
        return "{\"tenant_id\":\"" + r.tenantId() + "\",\"event_type\":\"" + r.eventType() + "\",\"spec\":\""
                + r.spec() + "\",\"window_start\":" + r.windowStart() / 1000 + ",\"window_end\":"
                + r.windowEnd() / 1000 + ",\"count\":" + r.count() + ",\"sum\":" + r.sum() + ",\"min\":" + r.min()
                + ",\"max\":" + r.max() + ",\"kind\":\"" + r.kind().code() + "\",\"version\":" + r.version()
                + ",\"emitted_at\":" + r.emittedAt() + "}";
    }

    private static java.time.OffsetDateTime utc(long ms) {
        return java.time.OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(ms), java.time.ZoneOffset.UTC);
    }
}
