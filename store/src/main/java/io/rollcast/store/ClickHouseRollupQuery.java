package io.rollcast.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * {@link RollupQuery} on ClickHouse's {@code <database>.rollups} over HTTP ({@code FORMAT
 * JSONEachRow}, uncompressed), de-duplicating versions at read time with {@code FINAL} (or
 * {@code argMax} by version).
 *
 * <p>ClickHouse 18.16 has no query parameters, so tenant, spec and type go into the SQL as string
 * literals, but only after {@link RollupQuery#check} has limited them to {@code [A-Za-z0-9._-]},
 * which cannot end a literal; times are numbers formatted here. 64-bit integers arrive quoted
 * ({@code "count":"5"}) and are parsed as such.
 */
public final class ClickHouseRollupQuery implements RollupQuery {
    private static final ObjectReader ROWS = new ObjectMapper().readerFor(JsonNode.class);

    /** How versions of a window are collapsed at read time. */
    public enum Dedup {
        /** {@code SELECT ... FROM rollups FINAL}: merge-on-read of the selected key range. */
        FINAL,
        /** {@code GROUP BY key} with {@code argMax(column, version)}. */
        ARGMAX
    }

    private final ClickHouseHttp http;
    private final String table;
    private final Dedup dedup;

    /** {@code url} like {@code http://127.0.0.1:18123/}; {@code database} is an identifier (validated). */
    public ClickHouseRollupQuery(String url, String database, String user, String password, Dedup dedup) {
        this(new ClickHouseEndpoint(url, database, user, password), dedup);
    }

    public ClickHouseRollupQuery(ClickHouseEndpoint endpoint, Dedup dedup) {
        this.http = new ClickHouseHttp(endpoint);
        this.table = endpoint.table();
        this.dedup = dedup;
    }

    public ClickHouseRollupQuery(String url, String database, String user, String password) {
        this(url, database, user, password, Dedup.FINAL);
    }

    @Override
    public List<WindowRow> windows(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        return windows(tenant, spec, eventType, fromMs, toMs, Integer.MAX_VALUE);
    }

    @Override
    public List<WindowRow> windows(
            String tenant, String spec, Optional<String> eventType, long fromMs, long toMs, int limit) {
        String sql = sql(tenant, spec, eventType, fromMs, toMs);
        if (limit < Integer.MAX_VALUE)
            sql = sql.replace(" FORMAT JSONEachRow", " LIMIT " + Math.max(0, limit) + " FORMAT JSONEachRow");
        try (InputStream body = http.query(sql, Duration.ofSeconds(30));
                MappingIterator<JsonNode> it = ROWS.readValues(body)) {
            List<WindowRow> out = new ArrayList<>();
            while (it.hasNext()) out.add(row(it.next()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("ClickHouse rollup query failed: " + e.getMessage(), e);
        }
    }

    /** The SELECT for validated arguments; window bounds are whole seconds in the table. */
    String sql(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        RollupQuery.check(tenant, spec, eventType, fromMs, toMs);
        String where = " WHERE tenant_id = '" + tenant + "' AND spec = '" + spec + "'"
                + eventType.map(t -> " AND event_type = '" + t + "'").orElse("")
                + " AND window_start >= toDateTime(" + seconds(fromMs) + ") AND window_start < toDateTime("
                + seconds(toMs) + ")";
        String select = dedup == Dedup.FINAL
                ? "SELECT tenant_id, event_type, spec, toUInt32(window_start) AS ws, toUInt32(window_end) AS we,"
                        + " count AS c, sum AS s, min AS lo, max AS hi, kind AS k, version AS v, emitted_at AS e,"
                        + " quantile_levels AS ql, quantiles AS qv, hex(quantile_sketch) AS qs, distinct_count AS dc,"
                        + " hex(distinct_sketch) AS ds, anomaly_score AS az, anomaly_baseline AS ab, anomaly_flagged AS af"
                        + " FROM " + table + " FINAL" + where
                : "SELECT tenant_id, event_type, spec, toUInt32(window_start) AS ws, toUInt32(argMax(window_end, version)) AS we,"
                        + " argMax(count, version) AS c, argMax(sum, version) AS s, argMax(min, version) AS lo,"
                        + " argMax(max, version) AS hi, argMax(kind, version) AS k, max(version) AS v, argMax(emitted_at, version) AS e,"
                        + " argMax(quantile_levels, version) AS ql, argMax(quantiles, version) AS qv,"
                        + " hex(argMax(quantile_sketch, version)) AS qs, argMax(distinct_count, version) AS dc,"
                        + " hex(argMax(distinct_sketch, version)) AS ds, argMax(anomaly_score, version) AS az,"
                        + " argMax(anomaly_baseline, version) AS ab, argMax(anomaly_flagged, version) AS af"
                        + " FROM " + table + where + " GROUP BY tenant_id, spec, window_start, event_type";
        return select + " ORDER BY window_start, event_type FORMAT JSONEachRow";
    }

    /** {@code ceil(ms / 1000)}, clamped to DateTime's range: {@code window_start * 1000 >= ms} iff {@code window_start >= this}. */
    private static long seconds(long ms) {
        long s = -Math.floorDiv(-ms, 1000L);
        return Math.max(0, Math.min(s, 0xFFFF_FFFFL));
    }

    private static WindowRow row(JsonNode n) {
        return new WindowRow(
                n.get(RowCodec.TENANT_ID).asText(),
                n.get(RowCodec.EVENT_TYPE).asText(),
                n.get(RowCodec.SPEC).asText(),
                uint(n, "ws") * 1000,
                uint(n, "we") * 1000,
                uint(n, "c"),
                n.get("s").asDouble(),
                n.get("lo").asDouble(),
                n.get("hi").asDouble(),
                Kind.of(n.get("k").asText()),
                uint(n, "v"),
                uint(n, "e"),
                stats(n));
    }

    /** The V002 columns: empty arrays and strings and NULLs are "not configured". */
    private static WindowStats stats(JsonNode n) {
        double[] levels = doubles(n.get("ql"));
        double[] quantiles = doubles(n.get("qv"));
        JsonNode dc = n.get("dc");
        long distinct = dc == null || dc.isNull() ? -1 : dc.isTextual() ? Long.parseLong(dc.asText()) : dc.asLong();
        JsonNode az = n.get("az");
        WindowStats.Anomaly anomaly = az == null || az.isNull()
                ? null
                : new WindowStats.Anomaly(
                        az.asDouble(), n.get("ab").asDouble(), n.get("af").asInt() == 1);
        if (levels.length == 0 && distinct < 0 && anomaly == null) return null;
        return new WindowStats(
                levels.length == 0 ? null : levels,
                levels.length == 0 ? null : quantiles,
                HexFormat.of().parseHex(n.get("qs").asText()),
                distinct,
                HexFormat.of().parseHex(n.get("ds").asText()),
                anomaly);
    }

    private static double[] doubles(JsonNode a) {
        if (a == null || !a.isArray()) return new double[0];
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble();
        return out;
    }

    /** UInt64 arrives quoted by default ({@code output_format_json_quote_64bit_integers}); UInt32 does not. */
    private static long uint(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalStateException("ClickHouse row lacks " + field + ": " + n);
        return v.isTextual() ? Long.parseLong(v.asText()) : v.asLong();
    }
}
