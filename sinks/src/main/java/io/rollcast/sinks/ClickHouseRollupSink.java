package io.rollcast.sinks;

import io.rollcast.model.WindowRow;

import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * An at-least-once, batching, back-pressured sink of window rows into ClickHouse's
 * {@code <database>.rollups} over HTTP ({@code INSERT ... FORMAT JSONEachRow}, uncompressed).
 *
 * <p>Built on Flink's {@link AsyncSinkBase}: rows are buffered and sent in batches of up to
 * {@code batchSize} rows (or after {@code batchIntervalMs}), with at most {@code maxInFlight}
 * requests outstanding; a full buffer blocks the writer, which back-pressures the job. Rows not yet
 * acknowledged at a checkpoint are part of the checkpoint. Duplicates from retries or replays are
 * harmless: the table is a {@code ReplacingMergeTree(version)}.
 */
public final class ClickHouseRollupSink extends AsyncSinkBase<WindowRow, byte[]> {
    private static final long serialVersionUID = 1L;
    /** A row is ~250 bytes; far below this. */
    static final long MAX_RECORD_BYTES = 1 << 20;

    private final ClickHouseSettings settings;

    public ClickHouseRollupSink(ClickHouseSettings s) {
        super(new ClickHouseRowConverter(),
                s.batchSize(),
                s.maxInFlight(),
                // buffer: a few batches per in-flight slot, then back-pressure
                Math.max(4, 2 * s.maxInFlight()) * s.batchSize(),
                64L << 20, // bytes per insert: never the limit at ~250 bytes per row
                s.batchIntervalMs(),
                MAX_RECORD_BYTES,
                // the HTTP client's own timeout (requestTimeoutMs) fires first and is retried
                s.requestTimeoutMs() + 10_000,
                false);
        this.settings = s;
    }

    @Override
    public StatefulSinkWriter<WindowRow, BufferedRequestState<byte[]>> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<WindowRow, BufferedRequestState<byte[]>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<byte[]>> recoveredState) {
        return new ClickHouseRollupWriter(getElementConverter(), context, writerConfiguration(), recoveredState, settings);
    }

    private org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration writerConfiguration() {
        return org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .build();
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<byte[]>> getWriterStateSerializer() {
        return new StateSerializer();
    }

    /** Buffered JSON lines in a checkpoint: length-prefixed bytes. */
    static final class StateSerializer extends AsyncSinkWriterStateSerializer<byte[]> {
        @Override
        protected void serializeRequestToStream(byte[] request, DataOutputStream out) throws IOException {
            out.writeInt(request.length);
            out.write(request);
        }

        @Override
        protected byte[] deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return b;
        }

        @Override
        public int getVersion() {
            return 1;
        }
    }
}
