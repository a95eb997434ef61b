package io.rollcast.sinks;

import io.rollcast.model.WindowRow;
import io.rollcast.store.ColdStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * The cold path's sink: Flink's {@link FileSink} writing window rows as Parquet files
 * {@code <root>/tenant_id=<t>/date=<yyyy-MM-dd>/part-<uuid>-<n>.parquet} (the {@link ColdStore}
 * layout), exactly once: a file becomes visible (renamed from its hidden in-progress name) only when
 * the checkpoint that covers its rows completes, and a restore discards files of rows after it. Bulk
 * formats roll at every checkpoint; the {@code cold-batch} operator in front keeps that from making a
 * file per tenant and checkpoint.
 *
 * <p>The root is a Flink path: a local directory, or {@code s3://bucket/prefix} with Flink's S3
 * filesystem plugin on the cluster (docs/cold.md).
 */
public final class ColdParquetSink {
    private ColdParquetSink() {}

    public static FileSink<WindowRow> create(String root) {
        return FileSink.forBulkFormat(new org.apache.flink.core.fs.Path(root), new ParquetRowsFactory())
                .withBucketAssigner(new TenantDay())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix("part")
                        .withPartSuffix(".parquet")
                        .build())
                .build();
    }

    /** Bucket {@code tenant_id=<t>/date=<UTC day of the window start>}. */
    static final class TenantDay implements BucketAssigner<WindowRow, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getBucketId(WindowRow row, Context context) {
            return ColdStore.partition(row.tenantId(), row.windowStart());
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }

    static final class ParquetRowsFactory implements BulkWriter.Factory<WindowRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public BulkWriter<WindowRow> create(FSDataOutputStream out) {
            return new ParquetRows(out);
        }
    }

    /**
     * Holds a part file's rows and writes them as one Parquet file when the file is closed (at the
     * checkpoint): DuckDB writes to a local temporary file, whose bytes go to the FileSink's stream.
     * A part file holds one tenant-day's rows of one checkpoint, after {@code cold-batch} a few
     * hundred to a few thousand rows, so holding them costs little.
     */
    static final class ParquetRows implements BulkWriter<WindowRow> {
        private final FSDataOutputStream out;
        private final List<WindowRow> rows = new ArrayList<>();

        ParquetRows(FSDataOutputStream out) {
            this.out = out;
        }

        @Override
        public void addElement(WindowRow row) {
            rows.add(row);
        }

        @Override
        public void flush() {}

        @Override
        public void finish() throws IOException {
            Path tmp = Files.createTempFile("rollcast-cold-", ".parquet");
            try {
                Files.delete(tmp); // DuckDB creates it
                ColdStore.write(rows, tmp);
                Files.copy(tmp, out);
                out.flush();
            } finally {
                Files.deleteIfExists(tmp);
                rows.clear();
            }
        }
    }
}
