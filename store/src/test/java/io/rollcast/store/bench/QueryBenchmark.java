package io.rollcast.store.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.WindowRow;
import io.rollcast.store.ClickHouseEndpoint;
import io.rollcast.store.ClickHouseRollupQuery;
import io.rollcast.store.PostgresRollupQuery;
import io.rollcast.store.SchemaMigrations;
import io.rollcast.testkit.ClickHouseServer;
import io.rollcast.testkit.PostgresServer;
import io.rollcast.testkit.RealServers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Benchmark harness, not a test: loads tumbling-1m rollups for N tenants x H hours plus the raw
 * events behind them into Postgres and ClickHouse, then times "windows of spec S for tenant T
 * between t1 and t2" from the rollup table (through {@code RollupQuery}) against the same answer
 * computed from the raw events with GROUP BY, side by side, and prints p50/p99 and the ratios.
 *
 * <p>Run: {@code mvn -pl query test-compile exec:java -Dexec.args="--tenants=10000 --hours=24"}
 * (see docs/stores.md). Starts throwaway servers through the testkit unless {@code --postgres-url} /
 * {@code --clickhouse-url} are given.
 */
public final class QueryBenchmark {
    static final long BASE = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    static final String TYPE = "page.view";
    static final String SPEC = "tumbling-1m";

    /** Command-line options, {@code --key=value}. */
    record Options(
            int chTenants,
            int pgTenants,
            int hours,
            int eventsPerWindow,
            int queries,
            int warmup,
            int rangeHours,
            int slowQueries,
            long seed,
            List<String> stores,
            String postgresUrl,
            String clickhouseUrl) {
        static Options parse(String[] args) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String a : args) {
                if (!a.startsWith("--") || !a.contains("="))
                    throw new IllegalArgumentException("expected --key=value, got " + a);
                m.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            }
            int tenants = Integer.parseInt(m.getOrDefault("tenants", "10000"));
            Options o = new Options(
                    Integer.parseInt(m.getOrDefault("clickhouse-tenants", Integer.toString(tenants))),
                    Integer.parseInt(m.getOrDefault("postgres-tenants", Integer.toString(tenants))),
                    Integer.parseInt(m.getOrDefault("hours", "24")),
                    Integer.parseInt(m.getOrDefault("events-per-window", "4")),
                    Integer.parseInt(m.getOrDefault("queries", "2000")),
                    Integer.parseInt(m.getOrDefault("warmup", "300")),
                    Integer.parseInt(m.getOrDefault("range-hours", "3")),
                    Integer.parseInt(m.getOrDefault("slow-queries", "40")),
                    Long.parseLong(m.getOrDefault("seed", "7")),
                    List.of(m.getOrDefault("stores", "postgres,clickhouse").split(",")),
                    m.get("postgres-url"),
                    m.get("clickhouse-url"));
            if (!Set.of(
                            "tenants",
                            "clickhouse-tenants",
                            "postgres-tenants",
                            "hours",
                            "events-per-window",
                            "queries",
                            "warmup",
                            "range-hours",
                            "slow-queries",
                            "seed",
                            "stores",
                            "postgres-url",
                            "clickhouse-url")
                    .containsAll(m.keySet())) {
                throw new IllegalArgumentException("unknown option in " + m.keySet());
            }
            return o;
        }
    }

    /** Latencies of one query kind. */
    record Timing(String name, long[] nanos) {
        double pct(double p) {
            long[] s = nanos.clone();
            Arrays.sort(s);
            return s[(int) Math.min(s.length - 1, Math.round(p * (s.length - 1)))] / 1e6;
        }

        String line() {
            return String.format(
                    Locale.ROOT, "%-58s n=%5d  p50 %9.3f ms  p99 %9.3f ms", name, nanos.length, pct(0.50), pct(0.99));
        }
    }

    /** One query of the workload: a tenant and a range of whole minutes. */
    record Q(String tenant, long from, long to) {}

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf(
                "query benchmark %s on %s, %d cores, %d GB RAM, Java %s%n",
                Instant.now(),
                hostname(),
                Runtime.getRuntime().availableProcessors(),
                memoryGb(),
                System.getProperty("java.version"));
        System.out.printf("options: %s%n", o);
        List<String> summary = new ArrayList<>();
        if (o.stores().contains("clickhouse")) summary.addAll(new ClickHouseBench(o).run());
        if (o.stores().contains("postgres")) summary.addAll(new PostgresBench(o).run());
        System.out.println();
        System.out.println("==== summary ====");
        summary.forEach(System.out::println);
        System.out.flush();
        // servers started here are stopped (and their directories deleted) by the testkit's shutdown hook
    }

    // ------------------------------------------------------------------ shared

    static List<Q> workload(Options o, int tenants, int n, long seed) {
        Random r = new Random(seed);
        int minutes = o.hours() * 60;
        int range = o.rangeHours() * 60;
        List<Q> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long start = BASE + (long) r.nextInt(minutes - range + 1) * 60_000;
            out.add(new Q(tenant(r.nextInt(tenants)), start, start + range * 60_000L));
        }
        return out;
    }

    static String tenant(int t) {
        return "tenant-" + t;
    }

    /** Runs each query kind on the same workload, interleaved so they see the same cache state. */
    static List<Timing> timeInterleaved(List<Q> warm, List<Q> measured, List<Map.Entry<String, QueryFn>> kinds)
            throws Exception {
        for (Q q : warm) for (var k : kinds) k.getValue().run(q);
        long[][] nanos = new long[kinds.size()][measured.size()];
        for (int i = 0; i < measured.size(); i++) {
            for (int j = 0; j < kinds.size(); j++) {
                int k = (i + j) % kinds.size(); // alternate who goes first
                long t0 = System.nanoTime();
                kinds.get(k).getValue().run(measured.get(i));
                nanos[k][i] = System.nanoTime() - t0;
            }
        }
        List<Timing> out = new ArrayList<>();
        for (int j = 0; j < kinds.size(); j++) out.add(new Timing(kinds.get(j).getKey(), nanos[j]));
        return out;
    }

    @FunctionalInterface
    interface QueryFn {
        List<WindowRow> run(Q q) throws Exception;
    }

    /** The rollup answer and the raw GROUP BY answer are the same windows with the same values. */
    static void checkSame(String what, List<Q> sample, QueryFn rollups, QueryFn raw) throws Exception {
        int rows = 0;
        for (Q q : sample) {
            List<WindowRow> a = rollups.run(q), b = raw.run(q);
            if (a.size() != b.size())
                throw new IllegalStateException(what + ": " + q + " gives " + a.size() + " windows from rollups, "
                        + b.size() + " from raw events");
            for (int i = 0; i < a.size(); i++) {
                WindowRow x = a.get(i), y = b.get(i);
                if (x.windowStart() != y.windowStart()
                        || !x.eventType().equals(y.eventType())
                        || x.count() != y.count()
                        || x.min() != y.min()
                        || x.max() != y.max()
                        || Math.abs(x.sum() - y.sum()) > 1e-9 * Math.abs(y.sum())) {
                    throw new IllegalStateException(what + ": " + q + " differs: rollup " + x + " vs raw " + y);
                }
            }
            rows += a.size();
        }
        System.out.printf(
                "  %s: rollup and raw answers agree on %d sampled queries (%d windows)%n", what, sample.size(), rows);
    }

    static String ratio(String what, Timing rollup, Timing raw) {
        return String.format(
                Locale.ROOT,
                "%-58s p50 %6.1fx  p99 %6.1fx",
                what,
                raw.pct(0.5) / rollup.pct(0.5),
                raw.pct(0.99) / rollup.pct(0.99));
    }

    static long seconds(long t0) {
        return (System.nanoTime() - t0) / 1_000_000_000;
    }

    static String hostname() {
        try {
            return Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static long memoryGb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024 / 1024;
            }
        } catch (IOException ignored) {
            // unknown
        }
        return -1;
    }

    // ------------------------------------------------------------------ ClickHouse

    /** Raw events and rollups generated server-side from numbers(); rollups are a GROUP BY of the raw events. */
    static final class ClickHouseBench {
        private final Options o;
        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();
        private String url;

        ClickHouseBench(Options o) {
            this.o = o;
        }

        List<String> run() throws Exception {
            url = o.clickhouseUrl() != null
                    ? o.clickhouseUrl()
                    : RealServers.startForMain(ClickHouseServer.class).httpUrl();
            if (!url.endsWith("/")) url += "/";
            System.out.printf(
                    "%nClickHouse %s at %s%n",
                    sql("SELECT version() FORMAT TabSeparated").trim(), url);
            int tenants = o.chTenants();
            long windows = (long) tenants * o.hours() * 60;
            long t0 = System.nanoTime();
            sql("DROP DATABASE IF EXISTS bench");
            SchemaMigrations.applyClickHouse(new ClickHouseEndpoint(url, "bench", "", ""));
            // raw events, two layouts: by tenant (the best case for raw reads) and by time (an append-only event log)
            sql("CREATE TABLE bench.raw_events (tenant_id String, event_type String, ts DateTime('UTC'), value Float64)"
                    + " ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (tenant_id, ts)");
            sql(
                    "CREATE TABLE bench.raw_events_by_time AS bench.raw_events ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY ts");
            int k = 2 * o.eventsPerWindow() - 1; // 1..k events per window, mean eventsPerWindow
            long baseS = BASE / 1000;
            String minutes = Integer.toString(o.hours() * 60);
            // one insert per hour of event time: bounded memory, and parts in time order like live ingestion
            for (int h = 0; h < o.hours(); h++) {
                sql("INSERT INTO bench.raw_events SELECT concat('tenant-', toString(t)), '" + TYPE + "',"
                        + " toDateTime(" + baseS + " + m * 60 + intDiv(j * 60, n)), (cityHash64(w, j) % 100000) / 100"
                        + " FROM (SELECT number + " + (long) h * tenants * 60 + " AS w, intDiv(number, 60) AS t, "
                        + (h * 60) + " + number % 60 AS m,"
                        + " 1 + cityHash64(number, " + h + ") % " + k + " AS n FROM numbers(" + tenants * 60L + "))"
                        + " ARRAY JOIN range(n) AS j");
            }
            long rawRows = Long.parseLong(sql("SELECT count() FROM bench.raw_events FORMAT TabSeparated")
                    .trim());
            sql("INSERT INTO bench.raw_events_by_time SELECT * FROM bench.raw_events");
            for (int h = 0; h < o.hours(); h++) {
                long from = baseS + h * 3600L;
                sql("INSERT INTO bench.rollups SELECT tenant_id, event_type, '" + SPEC
                        + "', toStartOfMinute(ts) AS ws, ws + 60,"
                        + " count() AS c, sum(value), min(value), max(value), 'final', 2 * c + 1, (toUInt64(toUInt32(ws)) + 60) * 1000"
                        + " FROM bench.raw_events WHERE ts >= toDateTime(" + from + ") AND ts < toDateTime("
                        + (from + 3600) + ")"
                        + " GROUP BY tenant_id, event_type, ws");
            }
            long rollupRows = Long.parseLong(
                    sql("SELECT count() FROM bench.rollups FORMAT TabSeparated").trim());
            long loadS = seconds(t0);
            String sizes =
                    sql("SELECT table, formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE database = 'bench'"
                                    + " AND active GROUP BY table ORDER BY table FORMAT TabSeparated")
                            .trim()
                            .replace('\n', ' ')
                            .replace('\t', '=');
            System.out.printf(
                    "  loaded %d tenants x %d h: %d rollup rows (%s), %d raw events (x2 layouts) in %d s; on disk: %s%n",
                    tenants,
                    o.hours(),
                    rollupRows,
                    windows == rollupRows ? "one per window" : "expected " + windows,
                    rawRows,
                    loadS,
                    sizes);

            ClickHouseRollupQuery finalQ =
                    new ClickHouseRollupQuery(url, "bench", "", "", ClickHouseRollupQuery.Dedup.FINAL);
            ClickHouseRollupQuery argMaxQ =
                    new ClickHouseRollupQuery(url, "bench", "", "", ClickHouseRollupQuery.Dedup.ARGMAX);
            QueryFn rollupFinal = q -> finalQ.windows(q.tenant(), SPEC, Optional.empty(), q.from(), q.to());
            QueryFn rollupArgMax = q -> argMaxQ.windows(q.tenant(), SPEC, Optional.empty(), q.from(), q.to());
            QueryFn raw = q -> rawQuery("bench.raw_events", q);
            QueryFn rawByTime = q -> rawQuery("bench.raw_events_by_time", q);

            List<Q> measured = workload(o, tenants, o.queries(), o.seed());
            checkSame("ClickHouse FINAL", measured.subList(0, 50), rollupFinal, raw);
            checkSame("ClickHouse argMax", measured.subList(0, 50), rollupArgMax, raw);
            checkSame("ClickHouse raw by time", measured.subList(0, 10), rollupFinal, rawByTime);
            List<Timing> t = timeInterleaved(
                    workload(o, tenants, o.warmup(), o.seed() + 1),
                    measured,
                    List.of(
                            Map.entry("ClickHouse rollups FINAL (RollupQuery)", rollupFinal),
                            Map.entry("ClickHouse rollups argMax (RollupQuery)", rollupArgMax),
                            Map.entry("ClickHouse raw GROUP BY, ORDER BY (tenant_id, ts)", raw)));
            Timing floor = timeInterleaved(
                            workload(o, tenants, 50, o.seed() + 3),
                            measured.subList(0, Math.min(500, measured.size())),
                            List.<Map.Entry<String, QueryFn>>of(
                                    Map.entry("ClickHouse SELECT 1 over HTTP (round-trip floor)", q -> {
                                        sql("SELECT 1 FORMAT JSONEachRow");
                                        return List.of();
                                    })))
                    .get(0);
            List<Q> slow = measured.subList(0, Math.min(o.slowQueries(), measured.size()));
            List<Timing> ts = timeInterleaved(
                    workload(o, tenants, 3, o.seed() + 2),
                    slow,
                    List.of(
                            Map.entry("ClickHouse rollups FINAL (same queries)", rollupFinal),
                            Map.entry("ClickHouse raw GROUP BY, ORDER BY ts", rawByTime)));
            List<String> out = new ArrayList<>();
            out.add(String.format(
                    "ClickHouse: %d tenants x %d h, %d rollup rows, %d raw events, %d-h ranges, load %d s",
                    tenants, o.hours(), rollupRows, rawRows, o.rangeHours(), loadS));
            t.forEach(x -> out.add("  " + x.line()));
            ts.forEach(x -> out.add("  " + x.line()));
            out.add("  " + floor.line());
            out.add("  " + ratio("ratio raw(tenant-ordered) / rollups FINAL", t.get(0), t.get(2)));
            out.add("  " + ratio("ratio raw(tenant-ordered) / rollups argMax", t.get(1), t.get(2)));
            out.add("  " + ratio("ratio raw(time-ordered) / rollups FINAL", ts.get(0), ts.get(1)));
            out.forEach(System.out::println);
            return out;
        }

        private List<WindowRow> rawQuery(String table, Q q) throws Exception {
            String body = sql(
                    "SELECT tenant_id, event_type, toUInt32(toStartOfMinute(ts)) AS ws, count() AS c, sum(value) AS s,"
                            + " min(value) AS lo, max(value) AS hi FROM " + table + " WHERE tenant_id = '" + q.tenant()
                            + "'"
                            + " AND ts >= toDateTime(" + q.from() / 1000 + ") AND ts < toDateTime(" + q.to() / 1000
                            + ")"
                            + " GROUP BY tenant_id, event_type, ws ORDER BY ws, event_type FORMAT JSONEachRow");
            List<WindowRow> out = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (line.isEmpty()) continue;
                JsonNode n = json.readTree(line);
                long ws = n.get("ws").asLong() * 1000,
                        c = Long.parseLong(n.get("c").asText());
                out.add(new WindowRow(
                        n.get("tenant_id").asText(),
                        n.get("event_type").asText(),
                        SPEC,
                        ws,
                        ws + 60_000,
                        c,
                        n.get("s").asDouble(),
                        n.get("lo").asDouble(),
                        n.get("hi").asDouble(),
                        io.rollcast.model.Kind.FINAL,
                        2 * c + 1,
                        ws + 60_000));
            }
            return out;
        }

        private String sql(String sql) throws Exception {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url + "?compress=0"))
                            .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200)
                throw new IllegalStateException("ClickHouse " + r.statusCode() + " for " + sql + ": " + r.body());
            return r.body();
        }
    }

    // ------------------------------------------------------------------ Postgres

    /** Raw events and rollups generated in Java (the same events feed both) and loaded with COPY, in time order. */
    static final class PostgresBench {
        private final Options o;

        PostgresBench(Options o) {
            this.o = o;
        }

        List<String> run() throws Exception {
            String url = o.postgresUrl();
            if (url == null) {
                PostgresServer pg = RealServers.startForMain(PostgresServer.class);
                url = pg.freshDatabase("bench");
            }
            int tenants = o.pgTenants();
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(url);
            try (Connection c = ds.getConnection();
                    Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SHOW server_version")) {
                    rs.next();
                    System.out.printf("%nPostgres %s at %s%n", rs.getString(1), url);
                }
                long t0 = System.nanoTime();
                st.execute("DROP TABLE IF EXISTS raw_events, rollups, " + SchemaMigrations.HISTORY);
                SchemaMigrations.applyPostgres(url, "", "", "rollups");
                st.execute(
                        "CREATE TABLE raw_events (tenant_id text COLLATE \"C\" NOT NULL, event_type text COLLATE \"C\" NOT NULL,"
                                + " ts timestamptz NOT NULL, value double precision NOT NULL)");
                // bulk load: the key index is rebuilt once after COPY instead of maintained row by row
                st.execute("ALTER TABLE rollups DROP CONSTRAINT rollups_pkey");
                long tc = System.nanoTime();
                long raw = copy(c, "COPY raw_events FROM STDIN", tenants, true);
                long rawS = seconds(tc);
                tc = System.nanoTime();
                long rollups = copy(c, "COPY rollups FROM STDIN", tenants, false);
                long rollupS = seconds(tc);
                st.execute("SET maintenance_work_mem = '1GB'");
                tc = System.nanoTime();
                st.execute(
                        "ALTER TABLE rollups ADD CONSTRAINT rollups_pkey PRIMARY KEY (tenant_id, spec, window_start, event_type)");
                st.execute("CREATE INDEX raw_events_tenant_ts ON raw_events (tenant_id, ts)");
                long indexS = seconds(tc);
                st.execute("VACUUM ANALYZE rollups");
                st.execute("VACUUM ANALYZE raw_events");
                long loadS = seconds(t0);
                String sizes;
                try (ResultSet rs = st.executeQuery(
                        "SELECT string_agg(relname || '=' || pg_size_pretty(pg_relation_size(oid)), ' ' ORDER BY relname)"
                                + " FROM pg_class WHERE relname IN ('rollups', 'rollups_pkey', 'raw_events', 'raw_events_tenant_ts')")) {
                    rs.next();
                    sizes = rs.getString(1);
                }
                System.out.printf(
                        "  loaded %d tenants x %d h: %d rollup rows, %d raw events with COPY (raw %d s, rollups %d s,"
                                + " indexes %d s), %d s in all; %s%n",
                        tenants, o.hours(), rollups, raw, rawS, rollupS, indexS, loadS, sizes);

                PostgresRollupQuery rq = new PostgresRollupQuery(ds, "rollups");
                PreparedStatement rawPs =
                        c.prepareStatement("SELECT tenant_id, event_type, date_trunc('minute', ts) AS ws, count(*),"
                                + " sum(value), min(value), max(value) FROM raw_events WHERE tenant_id = ? AND ts >= ? AND ts < ?"
                                + " GROUP BY tenant_id, event_type, ws ORDER BY ws, event_type");
                QueryFn rollupFn = q -> rq.windows(c, q.tenant(), SPEC, Optional.empty(), q.from(), q.to());
                QueryFn rawFn = q -> rawQuery(rawPs, q);
                List<Q> measured = workload(o, tenants, o.queries(), o.seed());
                checkSame("Postgres", measured.subList(0, 50), rollupFn, rawFn);
                List<Timing> t = timeInterleaved(
                        workload(o, tenants, o.warmup(), o.seed() + 1),
                        measured,
                        List.of(
                                Map.entry("Postgres rollups, primary key range (RollupQuery)", rollupFn),
                                Map.entry("Postgres raw GROUP BY, index (tenant_id, ts)", rawFn)));
                Timing floor = timeInterleaved(
                                workload(o, tenants, 50, o.seed() + 3),
                                measured.subList(0, Math.min(500, measured.size())),
                                List.<Map.Entry<String, QueryFn>>of(
                                        Map.entry("Postgres SELECT 1 over JDBC (round-trip floor)", q -> {
                                            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                                                rs.next();
                                            }
                                            return List.of();
                                        })))
                        .get(0);
                // the same raw events as an event log indexed by time only
                st.execute("DROP INDEX raw_events_tenant_ts");
                st.execute("CREATE INDEX raw_events_ts ON raw_events (ts)");
                st.execute("ANALYZE raw_events");
                List<Q> slow = measured.subList(0, Math.min(o.slowQueries(), measured.size()));
                List<Timing> ts = timeInterleaved(
                        workload(o, tenants, 3, o.seed() + 2),
                        slow,
                        List.of(
                                Map.entry("Postgres rollups (same queries)", rollupFn),
                                Map.entry("Postgres raw GROUP BY, index (ts)", rawFn)));
                List<String> out = new ArrayList<>();
                out.add(String.format(
                        "Postgres: %d tenants x %d h, %d rollup rows, %d raw events, %d-h ranges, load %d s",
                        tenants, o.hours(), rollups, raw, o.rangeHours(), loadS));
                t.forEach(x -> out.add("  " + x.line()));
                ts.forEach(x -> out.add("  " + x.line()));
                out.add("  " + floor.line());
                out.add("  " + ratio("ratio raw(tenant index) / rollups", t.get(0), t.get(1)));
                out.add("  " + ratio("ratio raw(time index) / rollups", ts.get(0), ts.get(1)));
                out.forEach(System.out::println);
                return out;
            }
        }

        private static List<WindowRow> rawQuery(PreparedStatement ps, Q q) throws Exception {
            ps.setString(1, q.tenant());
            ps.setObject(2, utc(q.from()));
            ps.setObject(3, utc(q.to()));
            List<WindowRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ws = rs.getObject(3, OffsetDateTime.class).toInstant().toEpochMilli();
                    long c = rs.getLong(4);
                    out.add(new WindowRow(
                            rs.getString(1),
                            rs.getString(2),
                            SPEC,
                            ws,
                            ws + 60_000,
                            c,
                            rs.getDouble(5),
                            rs.getDouble(6),
                            rs.getDouble(7),
                            io.rollcast.model.Kind.FINAL,
                            2 * c + 1,
                            ws + 60_000));
                }
            }
            return out;
        }

        /** COPY (text format) of raw events or of their rollups, minute by minute, every tenant within a minute. */
        private long copy(Connection c, String sql, int tenants, boolean rawEvents) throws Exception {
            long rows = 0;
            int k = 2 * o.eventsPerWindow() - 1;
            StringBuilder line = new StringBuilder(160);
            try (OutputStream out =
                    new BufferedOutputStream(new PGCopyOutputStream(c.unwrap(PGConnection.class), sql), 1 << 20)) {
                for (int m = 0; m < o.hours() * 60; m++) {
                    long start = BASE + m * 60_000L;
                    String startText = timestamp(start);
                    String endText = timestamp(start + 60_000);
                    for (int t = 0; t < tenants; t++) {
                        SplittableRandom r =
                                new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + (long) t * 1_000_003L + m);
                        int n = 1 + r.nextInt(k);
                        double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
                        for (int j = 0; j < n; j++) {
                            double v = r.nextInt(100_000) / 100.0;
                            if (rawEvents) {
                                line.setLength(0);
                                line.append(tenant(t))
                                        .append('\t')
                                        .append(TYPE)
                                        .append('\t')
                                        .append(timestamp(start + (long) j * 60_000 / n))
                                        .append('\t')
                                        .append(v)
                                        .append('\n');
                                out.write(line.toString().getBytes(StandardCharsets.UTF_8));
                                rows++;
                            }
                            sum += v;
                            min = Math.min(min, v);
                            max = Math.max(max, v);
                        }
                        if (!rawEvents) {
                            line.setLength(0);
                            line.append(tenant(t))
                                    .append('\t')
                                    .append(TYPE)
                                    .append('\t')
                                    .append(SPEC)
                                    .append('\t')
                                    .append(startText)
                                    .append('\t')
                                    .append(endText)
                                    .append('\t')
                                    .append(n)
                                    .append('\t')
                                    .append(sum)
                                    .append('\t')
                                    .append(min)
                                    .append('\t')
                                    .append(max)
                                    .append("\tfinal\t")
                                    .append(2L * n + 1)
                                    .append('\t')
                                    .append(endText)
                                    .append('\n');
                            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
                            rows++;
                        }
                    }
                }
            }
            return rows;
        }

        private static String timestamp(long ms) {
            return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC)
                    .toString();
        }

        private static OffsetDateTime utc(long ms) {
            return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), ZoneOffset.UTC);
        }
    }

    private QueryBenchmark() {}
}
