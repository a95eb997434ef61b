package io.rollcast.sinks;

import io.rollcast.model.WindowRow;
import io.rollcast.store.RollupTable;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An at-least-once sink that upserts window rows into the Postgres rollup table, replacing a stored
 * row only with a higher version.
 *
 * <p>Idempotent: a replay after a restore, a duplicate, or an older version arriving after a newer
 * one leaves the row with the highest version, so at-least-once delivery gives exactly the final
 * content. {@link #create} writes each batch as one COPY into a session's temporary staging table and
 * one merge ({@link PostgresCopyWriter}, {@link io.rollcast.store.PostgresCopy}); it needs a
 * session per connection, so behind PgBouncer use session pooling, not transaction pooling.
 * {@link #jdbcBatch} is the former sink, Flink's JDBC sink with one upsert statement per row in a JDBC
 * batch, kept as the benchmark's baseline (never enable {@code reWriteBatchedInserts} with it: its
 * multi-row INSERT fails when a batch holds two versions of one window).
 */
public final class PostgresRollupSink {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresRollupSink.class);

    private PostgresRollupSink() {}

    /** The upsert; every value is a bound parameter, only the validated table name is spliced in. */
    public static String upsertSql(String table) {
        return RollupTable.postgresUpsert(table);
    }

    /** Binds one row to {@link #upsertSql(String)}. */
    static final JdbcStatementBuilder<WindowRow> BIND = PostgresRollupSink::bind;

    static void bind(PreparedStatement ps, WindowRow r) throws SQLException {
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
        RollupTable.bindPostgresStats(ps, 13, r.stats());
    }

    private static OffsetDateTime utc(long epochMs) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneOffset.UTC);
    }

    /** The Postgres sink for {@code s}: batches written by COPY + one merge ({@link PostgresCopyWriter}). */
    public static Sink<WindowRow> create(PostgresSettings s) {
        return new CopySink(s);
    }

    private record CopySink(PostgresSettings settings) implements Sink<WindowRow> {
        @Override
        public SinkWriter<WindowRow> createWriter(WriterInitContext context) {
            return new PostgresCopyWriter(settings, context.getProcessingTimeService(), context.metricGroup());
        }
    }

    /**
     * The former sink, the benchmark's baseline: Flink's at-least-once JDBC sink (one upsert per row in
     * a JDBC batch) behind a writer that closes quietly.
     */
    public static Sink<WindowRow> jdbcBatch(PostgresSettings s) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder conn =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(s.url())
                        .withDriverName("org.postgresql.Driver")
                        .withConnectionCheckTimeoutSeconds(5);
        if (!s.user().isEmpty()) conn.withUsername(s.user());
        if (!s.password().isEmpty()) conn.withPassword(s.password());
        JdbcSink<WindowRow> jdbc = JdbcSink.<WindowRow>builder()
                .withQueryStatement(upsertSql(s.table()), BIND)
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(s.batchSize())
                        .withBatchIntervalMs(s.batchIntervalMs())
                        .withMaxRetries(s.maxRetries())
                        .build())
                .buildAtLeastOnce(conn.build());
        return new QuietlyClosing(jdbc);
    }

    /**
     * Flink's at-least-once {@link JdbcSink} with one change: its writer's {@code close()} does not
     * throw. The stock writer flushes in {@code close()} and rethrows a failed flush; while the
     * database is down that happens in the cleanup of an already failing task, which Flink treats as
     * fatal ("exception in exception handler") and answers by killing the TaskManager. Nothing is
     * lost by logging instead: a normal end of input flushes (and fails loudly) before close, and
     * rows not flushed at a failure come after the last checkpoint, so they are replayed.
     *
     * <p>At-least-once needs neither writer state nor a committer, so this sink has neither.
     */
    static final class QuietlyClosing implements Sink<WindowRow> {
        private static final long serialVersionUID = 1L;
        private final JdbcSink<WindowRow> jdbc;

        QuietlyClosing(JdbcSink<WindowRow> jdbc) {
            this.jdbc = jdbc;
        }

        @Override
        public SinkWriter<WindowRow> createWriter(WriterInitContext context) throws IOException {
            SinkWriter<WindowRow> writer = jdbc.createWriter(context);
            return new SinkWriter<>() {
                @Override
                public void write(WindowRow row, Context ctx) throws IOException, InterruptedException {
                    writer.write(row, ctx);
                }

                @Override
                public void flush(boolean endOfInput) throws IOException, InterruptedException {
                    writer.flush(endOfInput);
                }

                @Override
                public void close() {
                    try {
                        writer.close();
                    } catch (Exception e) {
                        LOG.warn(
                                "Postgres sink closed with unwritten rows (they are replayed from the last checkpoint): {}",
                                e.toString());
                    }
                }
            };
        }
    }
}
