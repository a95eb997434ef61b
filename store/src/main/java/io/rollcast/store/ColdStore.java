package io.rollcast.store;

import io.rollcast.model.Kind;
import io.rollcast.model.Names;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The cold copy of the window rows: Parquet files under a root directory, partitioned Hive-style by
 * tenant and UTC day of the window start, {@code <root>/tenant_id=<tenant>/date=<yyyy-MM-dd>/*.parquet}.
 * Written by the job's cold sink (one file per tenant-day per flush, committed by Flink's FileSink on
 * checkpoints), merged by {@link #compact}, read by {@link #windows}. Parquet is written, merged and
 * read with DuckDB (an embedded engine in one jar, no Hadoop); see docs/cold.md.
 *
 * <p>A window may have several rows in the files (a final row, then late corrections, or the same
 * version twice after a compaction that crashed before deleting its inputs): readers keep the highest
 * version of each window (ties are identical: the version is derived from the content). Files whose
 * name starts with {@code .} (in-progress files of the FileSink, a compaction's output before its
 * rename) are never read. The partition columns are not stored in the files (the Hive convention):
 * {@code tenant_id} and {@code date} come from the path.
 */
public final class ColdStore implements RollupQuery {
    /** The columns of a file, in order: the rollup table's columns without tenant_id (in the path). */
    public static final String FILE_SCHEMA = "event_type VARCHAR, spec VARCHAR, window_start TIMESTAMP,"
            + " window_end TIMESTAMP, count BIGINT, sum DOUBLE, min DOUBLE, max DOUBLE, kind VARCHAR,"
            + " version BIGINT, emitted_at TIMESTAMP, quantile_levels DOUBLE[], quantiles DOUBLE[],"
            + " quantile_sketch BLOB, distinct_count BIGINT, distinct_sketch BLOB, anomaly_score DOUBLE,"
            + " anomaly_baseline DOUBLE, anomaly_flagged BOOLEAN";

    private static final String SELECT = "SELECT event_type, spec, epoch_ms(window_start), epoch_ms(window_end),"
            + " count, sum, min, max, kind, version, epoch_ms(emitted_at), quantile_levels, quantiles,"
            + " quantile_sketch, distinct_count, distinct_sketch, anomaly_score, anomaly_baseline, anomaly_flagged";

    /** Newest version per window of the selected files. */
    private static final String NEWEST =
            " QUALIFY row_number() OVER (PARTITION BY spec, window_start, event_type ORDER BY version DESC) = 1";

    private static final AtomicLong TABLES = new AtomicLong();
    private static volatile DuckDBConnection shared;

    private final Path root;

    /** A store over {@code root} (a local directory; created on first write). */
    public ColdStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {@code tenant_id=<tenant>/date=<yyyy-MM-dd>}: the partition (FileSink bucket) of a row. */
    public static String partition(String tenant, long windowStartMs) {
        return "tenant_id=" + Names.require("tenant", tenant) + "/date=" + day(windowStartMs);
    }

    /** The UTC day of an epoch-ms instant. */
    public static LocalDate day(long epochMs) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
    }

    /**
     * One in-memory DuckDB per class loader, shared by its callers through {@link
     * DuckDBConnection#duplicate()} connections; one thread, so a writer in a TaskManager or a reader in
     * the fan-out never takes more than one core per call.
     */
    static Connection connection() throws SQLException {
        DuckDBConnection c = shared;
        if (c == null) {
            synchronized (ColdStore.class) {
                c = shared;
                if (c == null) {
                    try {
                        Class.forName("org.duckdb.DuckDBDriver");
                    } catch (ClassNotFoundException e) {
                        throw new SQLException("DuckDB's JDBC driver is not on the classpath", e);
                    }
                    Properties p = new Properties();
                    p.setProperty("threads", "1");
                    p.setProperty("memory_limit", "256MB");
                    p.setProperty("enable_external_access", "true");
                    c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:", p);
                    shared = c;
                }
            }
        }
        return c.duplicate();
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code rows} (any tenants; tenant_id is not stored) to a new Parquet file {@code file},
     * zstd-compressed, sorted by spec, window start and type.
     */
    public static void write(List<WindowRow> rows, Path file) throws IOException {
        String table = "w" + TABLES.incrementAndGet();
        try (Connection c = connection()) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE " + table + " (" + FILE_SCHEMA + ")");
            }
            try {
                try (DuckDBAppender a = ((DuckDBConnection) c).createAppender(DuckDBConnection.DEFAULT_SCHEMA, table)) {
                    for (WindowRow r : rows) append(a, r);
                }
                try (Statement s = c.createStatement()) {
                    s.execute("COPY (SELECT * FROM " + table + " ORDER BY spec, window_start, event_type) TO "
                            + literal(file.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                }
            }
        } catch (SQLException e) {
            throw new IOException("writing Parquet " + file + " failed: " + e.getMessage(), e);
        }
    }

    private static void append(DuckDBAppender a, WindowRow r) throws SQLException {
        a.beginRow();
        a.append(r.eventType());
        a.append(r.spec());
        a.append(utc(r.windowStart()));
        a.append(utc(r.windowEnd()));
        a.append(r.count());
        a.append(r.sum());
        a.append(r.min());
        a.append(r.max());
        a.append(r.kind().code());
        a.append(r.version());
        a.append(utc(r.emittedAt()));
        WindowStats st = r.stats();
        if (st != null && st.hasQuantiles()) {
            a.append(st.quantileLevels());
            a.append(st.quantiles());
            a.append(st.quantileSketch());
        } else {
            a.appendNull();
            a.appendNull();
            a.appendNull();
        }
        if (st != null && st.hasDistinct()) {
            a.append(st.distinct());
            a.append(st.distinctSketch());
        } else {
            a.appendNull();
            a.appendNull();
        }
        if (st != null && st.anomaly() != null) {
            a.append(st.anomaly().score());
            a.append(st.anomaly().baseline());
            a.append(st.anomaly().flagged());
        } else {
            a.appendNull();
            a.appendNull();
            a.appendNull();
        }
        a.endRow();
    }

    private static LocalDateTime utc(long epochMs) {
        return LocalDateTime.ofEpochSecond(
                Math.floorDiv(epochMs, 1000), (int) Math.floorMod(epochMs, 1000) * 1_000_000, ZoneOffset.UTC);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public List<WindowRow> windows(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        return windows(tenant, spec, eventType, fromMs, toMs, Integer.MAX_VALUE);
    }

    /**
     * The rows with {@code fromMs <= window_start < toMs} (newest version of each window), ordered by
     * window start then type, at most {@code limit}.
     */
    @Override
    public List<WindowRow> windows(
            String tenant, String spec, Optional<String> eventType, long fromMs, long toMs, int limit) {
        RollupQuery.check(tenant, spec, eventType, fromMs, toMs);
        List<Path> files = files(tenant, day(fromMs), day(Math.max(fromMs, toMs - 1)));
        if (files.isEmpty() || fromMs == toMs || limit <= 0) return List.of();
        String sql = SELECT + " FROM read_parquet(" + list(files) + ", union_by_name = true)"
                + " WHERE spec = ? AND window_start >= ? AND window_start < ?"
                + (eventType.isPresent() ? " AND event_type = ?" : "") + NEWEST
                + " ORDER BY window_start, event_type LIMIT " + limit;
        try (Connection c = connection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, spec);
            ps.setObject(2, utc(fromMs));
            ps.setObject(3, utc(toMs));
            if (eventType.isPresent()) ps.setString(4, eventType.get());
            List<WindowRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(tenant, rs));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cold read failed: " + e.getMessage(), e);
        }
    }

    /** Every row of the files of one partition, all versions (for tests and tools). */
    public List<WindowRow> allVersions(String tenant, LocalDate date) {
        List<Path> files = files(tenant, date, date);
        if (files.isEmpty()) return List.of();
        try (Connection c = connection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(SELECT + " FROM read_parquet(" + list(files)
                        + ", union_by_name = true) ORDER BY spec, window_start, event_type, version")) {
            List<WindowRow> out = new ArrayList<>();
            while (rs.next()) out.add(row(tenant, rs));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cold read failed: " + e.getMessage(), e);
        }
    }

    private static WindowRow row(String tenant, ResultSet rs) throws SQLException {
        double[] levels = doubles(rs.getArray(12));
        byte[] qSketch = rs.getBytes(14);
        long distinct = rs.getLong(15);
        boolean hasDistinct = !rs.wasNull();
        byte[] dSketch = rs.getBytes(16);
        double score = rs.getDouble(17);
        boolean hasAnomaly = !rs.wasNull();
        double baseline = rs.getDouble(18);
        boolean flagged = rs.getBoolean(19);
        WindowStats stats = null;
        if (levels != null || hasDistinct || hasAnomaly) {
            stats = new WindowStats(
                    levels,
                    doubles(rs.getArray(13)),
                    qSketch,
                    hasDistinct ? distinct : -1,
                    dSketch,
                    hasAnomaly ? new WindowStats.Anomaly(score, baseline, flagged) : null);
        }
        return new WindowRow(
                tenant,
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getDouble(6),
                rs.getDouble(7),
                rs.getDouble(8),
                Kind.of(rs.getString(9)),
                rs.getLong(10),
                rs.getLong(11),
                stats);
    }

    private static double[] doubles(Array a) throws SQLException {
        if (a == null) return null;
        Object[] v = (Object[]) a.getArray();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = ((Number) v[i]).doubleValue();
        return out;
    }

    /** The visible Parquet files of {@code tenant}'s days {@code from..to} (inclusive), by path. */
    List<Path> files(String tenant, LocalDate from, LocalDate to) {
        Path dir = root.resolve("tenant_id=" + Names.require("tenant", tenant));
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> days = Files.list(dir)) {
            for (Path d : days.sorted().toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith("date=")) continue;
                LocalDate date;
                try {
                    date = LocalDate.parse(name.substring(5));
                } catch (RuntimeException e) {
                    continue;
                }
                if (date.isBefore(from) || date.isAfter(to)) continue;
                out.addAll(parquetFiles(d));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<Path> parquetFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                        String n = p.getFileName().toString();
                        return !n.startsWith(".") && n.endsWith(".parquet") && Files.isRegularFile(p);
                    })
                    .sorted()
                    .toList();
        }
    }

    // ---------------------------------------------------------------- compaction

    /** What one {@link #compact} did to one partition. */
    public record Compacted(Path partition, int filesIn, long rowsIn, long rowsOut, Path output) {}

    /**
     * Merges the files of every partition that has at least {@code minFiles} files older than
     * {@code minAge} into one file per partition, newest version per window, and deletes the merged
     * files. Files younger than {@code minAge} are left alone: a restarting job may still commit a
     * file it already committed (Flink's FileSink re-commits the last checkpoint's files), and a file
     * that just landed is cheap to merge next time. Idempotent and safe to run while the job writes and
     * the API reads: readers de-duplicate by version, so a crash between the rename of the merged file
     * and the deletion of its inputs shows each row twice, never wrongly; the next run merges them.
     * Not for two compactions of one root at once. Local filesystems only (it renames and deletes).
     */
    public List<Compacted> compact(int minFiles, Duration minAge, Instant now) throws IOException {
        List<Compacted> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        FileTime cutoff = FileTime.from(now.minus(minAge));
        try (Stream<Path> tenants = Files.list(root)) {
            for (Path t : tenants.sorted().toList()) {
                if (!t.getFileName().toString().startsWith("tenant_id=") || !Files.isDirectory(t)) continue;
                try (Stream<Path> days = Files.list(t)) {
                    for (Path d : days.sorted().toList()) {
                        if (!d.getFileName().toString().startsWith("date=")) continue;
                        List<Path> files = new ArrayList<>();
                        for (Path f : parquetFiles(d)) {
                            if (Files.getLastModifiedTime(f).compareTo(cutoff) <= 0) files.add(f);
                        }
                        if (files.size() >= Math.max(2, minFiles)) out.add(compact(d, files));
                    }
                }
            }
        }
        return out;
    }

    private static Compacted compact(Path partition, List<Path> files) throws IOException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path tmp = partition.resolve(".compacting-" + id + ".parquet");
        Path target = partition.resolve("compacted-" + System.currentTimeMillis() + "-" + id + ".parquet");
        long in;
        long kept;
        try (Connection c = connection();
                Statement s = c.createStatement()) {
            String source = "read_parquet(" + list(files) + ", union_by_name = true)";
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + source)) {
                rs.next();
                in = rs.getLong(1);
            }
            String cols = FILE_SCHEMA.replaceAll(" [A-Z\\[\\]]+(,|$)", "$1");
            s.execute("COPY (SELECT " + cols + " FROM " + source + NEWEST
                    + " ORDER BY spec, window_start, event_type) TO " + literal(tmp.toString())
                    + " (FORMAT parquet, COMPRESSION zstd)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet(" + literal(tmp.toString()) + ")")) {
                rs.next();
                kept = rs.getLong(1);
            }
        } catch (SQLException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("compacting " + partition + " failed: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target);
        }
        for (Path f : files) Files.deleteIfExists(f);
        return new Compacted(partition, files.size(), in, kept, target);
    }

    /** A DuckDB list literal of paths. */
    private static String list(List<Path> files) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < files.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(literal(files.get(i).toString()));
        }
        return b.append(']').toString();
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
