package io.rollcast.sinks;

import io.rollcast.model.WindowRow;
import io.rollcast.store.PostgresCopy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link PostgresRollupSink}: buffers rows, keeping the highest version of each window,
 * and writes a batch as one COPY into the session's staging table plus one merge ({@link
 * PostgresCopy}) in one transaction. A batch is written when it holds {@code batchSize} windows,
 * {@code batchIntervalMs} after its first row, and at every checkpoint and the end of input
 * (at least once; the merge is idempotent). A failed batch is retried on a new connection after 1 s,
 * 2 s, 4 s, ... (at most 30 s), {@code maxRetries} times, then the job fails and restarts.
 *
 * <p>{@code close()} never throws: rows not written when a task fails come after the last checkpoint
 * and are replayed, and a throwing close in the clean-up of a failing task makes Flink kill the
 * TaskManager.
 */
final class PostgresCopyWriter implements SinkWriter<WindowRow> {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCopyWriter.class);
    static final long MAX_BACKOFF_MS = 30_000;

    private final PostgresSettings s;
    private final ProcessingTimeService time;
    private final Map<String, WindowRow> pending = new HashMap<>();
    private final String copyIn;
    private final String merge;
    private final String ensurePartition;
    private final java.util.Set<LocalDate> knownDays = new java.util.HashSet<>();
    private final Counter written;
    private final Counter superseded;
    private final Counter failures;
    private Connection conn;
    private boolean timerSet;
    private boolean closed;

    PostgresCopyWriter(PostgresSettings s, ProcessingTimeService time, SinkWriterMetricGroup metrics) {
        this.s = s;
        this.time = time;
        this.copyIn = PostgresCopy.copyIn();
        this.merge = PostgresCopy.merge(s.table());
        this.ensurePartition = PostgresCopy.ensurePartition(s.table());
        this.written = metrics.getNumRecordsSendCounter();
        this.superseded = metrics.counter("rowsSuperseded");
        this.failures = metrics.counter("postgresErrors");
    }

    @Override
    public void write(WindowRow row, Context context) throws IOException {
        // one key and one lookup per row: the highest version of each window stays
        int held = pending.size();
        pending.merge(row.windowKey(), row, (before, now) -> now.version() > before.version() ? now : before);
        if (pending.size() == held) superseded.inc();
        if (pending.size() >= s.batchSize()) {
            writePending();
        } else if (!timerSet && s.batchIntervalMs() > 0) {
            timerSet = true;
            time.registerTimer(time.getCurrentProcessingTime() + s.batchIntervalMs(), t -> {
                timerSet = false;
                if (!closed && !pending.isEmpty()) writePending();
            });
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (!pending.isEmpty()) writePending();
    }

    private void writePending() throws IOException {
        byte[] data = encode();
        for (int attempt = 0; ; attempt++) {
            try {
                writeBatch(data);
                written.inc(pending.size());
                pending.clear();
                return;
            } catch (SQLException | IOException e) {
                failures.inc();
                closeConnection();
                if (attempt >= s.maxRetries()) {
                    throw new IOException(
                            String.format(
                                    "Postgres write of %d rows into %s failed %d times, giving up (the job restarts): %s",
                                    pending.size(), s.table(), attempt + 1, e.getMessage()),
                            e);
                }
                long backoff = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(attempt, 15));
                LOG.warn(
                        "Postgres write of {} rows into {} failed (attempt {} of {}), retrying in {} ms: {}",
                        pending.size(),
                        s.table(),
                        attempt + 1,
                        s.maxRetries() + 1,
                        backoff,
                        e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while retrying a Postgres write", ie);
                }
            }
        }
    }

    private byte[] encode() {
        StringBuilder b = new StringBuilder(pending.size() * 160);
        for (WindowRow r : pending.values()) PostgresCopy.append(b, r);
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void writeBatch(byte[] data) throws SQLException, IOException {
        Connection c = connection();
        try {
            ensurePartitions(c);
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(copyIn, new ByteArrayInputStream(data));
            try (Statement st = c.createStatement()) {
                st.executeUpdate(merge);
            }
            c.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is closed by the caller
            }
            throw e;
        }
    }

    /**
     * Creates the day partitions (V003) of the pending rows' days this writer has not seen yet, in a
     * transaction of their own (the function serializes concurrent creators with an advisory lock held
     * to its commit). A day dropped by retention after it was seen here is not recreated: its late rows
     * land in the default partition, which the next retention run clears.
     */
    private void ensurePartitions(Connection c) throws SQLException {
        java.util.TreeSet<LocalDate> days = new java.util.TreeSet<>();
        for (WindowRow r : pending.values()) {
            LocalDate d = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(r.windowStart()), ZoneOffset.UTC);
            if (!knownDays.contains(d)) days.add(d);
        }
        if (days.isEmpty()) return;
        try (java.sql.PreparedStatement ps = c.prepareStatement(ensurePartition)) {
            for (LocalDate d : days) {
                ps.setObject(1, d);
                ps.execute();
            }
        }
        c.commit();
        knownDays.addAll(days);
        if (knownDays.size() > 10_000) knownDays.clear(); // a backfill over decades: forget, re-ensure (cheap)
    }

    private Connection connection() throws SQLException {
        if (conn == null) {
            Properties p = new Properties();
            if (!s.user().isEmpty()) p.setProperty("user", s.user());
            if (!s.password().isEmpty()) p.setProperty("password", s.password());
            p.setProperty("connectTimeout", "10");
            p.setProperty("ApplicationName", "rollcast sink-postgres");
            Connection c = DriverManager.getConnection(s.url(), p);
            try (Statement st = c.createStatement()) {
                st.execute(PostgresCopy.createStaging(s.table()));
            }
            c.setAutoCommit(false);
            conn = c;
        }
        return conn;
    }

    private void closeConnection() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
            conn = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (!pending.isEmpty()) {
            LOG.warn(
                    "Postgres sink closed with {} unwritten rows (they are replayed from the last checkpoint)",
                    pending.size());
        }
        closeConnection();
    }
}
