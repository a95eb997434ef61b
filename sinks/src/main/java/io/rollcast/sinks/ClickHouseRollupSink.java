package io.rollcast.sinks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.model.Kind;
import io.rollcast.model.RowCodec;
import io.rollcast.model.WindowRow;
import io.rollcast.store.ClickHouseRowBinary;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An at-least-once, batching, back-pressured sink of window rows into ClickHouse's
 * {@code <database>.rollups} over HTTP ({@code INSERT ... FORMAT RowBinary}, uncompressed; rows
 * encoded by {@link ClickHouseRowBinary}, so stored doubles are bit-identical to the job's).
 *
 * <p>Built on Flink's {@link AsyncSinkBase}: rows are buffered and sent in batches of up to
 * {@code batchSize} rows (or after {@code batchIntervalMs}), with at most {@code maxInFlight}
 * requests outstanding; a full buffer blocks the writer, which back-pressures the job. Rows not yet
 * acknowledged at a checkpoint are part of the checkpoint. Duplicates from retries or replays are
 * harmless: the table is a {@code ReplacingMergeTree(version)}.
 */
public final class ClickHouseRollupSink extends AsyncSinkBase<WindowRow, byte[]> {
    private static final long serialVersionUID = 1L;
    /** A RowBinary row is ~60 bytes plus its three strings; far below this. */
    static final long MAX_RECORD_BYTES = 1 << 20;

    private final ClickHouseSettings settings;

    public ClickHouseRollupSink(ClickHouseSettings s) {
        super(
                (ElementConverter<WindowRow, byte[]>) (row, context) -> ClickHouseRowBinary.encode(row),
                s.batchSize(),
                s.maxInFlight(),
                // buffer: a few batches per in-flight slot, then back-pressure
                Math.max(4, 2 * s.maxInFlight()) * s.batchSize(),
                64L << 20, // bytes per insert: never the limit at ~100 bytes per row
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
        return new ClickHouseRollupWriter(
                getElementConverter(), context, writerConfiguration(), recoveredState, settings);
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

    /**
     * Buffered rows in a checkpoint: length-prefixed bytes. Version 2 holds {@link ClickHouseRowBinary}
     * rows; version 1 (before the sink inserted RowBinary) held JSONEachRow lines, which a restore
     * re-encodes, so a savepoint taken with rows in flight still restores.
     */
    static final class StateSerializer extends AsyncSinkWriterStateSerializer<byte[]> {
        static final int JSON_EACH_ROW = 1;
        static final int ROW_BINARY = 2;
        private static final ObjectMapper JSON = new ObjectMapper();

        @Override
        public BufferedRequestState<byte[]> deserialize(int version, byte[] serialized) throws IOException {
            if (version != ROW_BINARY && version != JSON_EACH_ROW) {
                throw new IOException("Unknown ClickHouse sink state version " + version);
            }
            BufferedRequestState<byte[]> state = super.deserialize(version, serialized);
            if (version == ROW_BINARY) return state;
            List<RequestEntryWrapper<byte[]>> rows = new ArrayList<>();
            for (RequestEntryWrapper<byte[]> line : state.getBufferedRequestEntries()) {
                byte[] row = ClickHouseRowBinary.encode(fromJsonEachRow(line.getRequestEntry()));
                rows.add(new RequestEntryWrapper<>(row, row.length));
            }
            return new BufferedRequestState<>(rows);
        }

        /**
         * A version-1 line: the row's fields, window bounds in seconds, kind as its code. Its doubles
         * were written by Java's {@code Double.toString}, which parses back to the same bits (a
         * non-finite one as a quoted string, which {@code asDouble} parses too).
         */
        static WindowRow fromJsonEachRow(byte[] line) throws IOException {
            JsonNode n = JSON.readTree(line);
            return new WindowRow(
                    n.get(RowCodec.TENANT_ID).asText(),
                    n.get(RowCodec.EVENT_TYPE).asText(),
                    n.get(RowCodec.SPEC).asText(),
                    n.get(RowCodec.WINDOW_START).longValue() * 1000,
                    n.get(RowCodec.WINDOW_END).longValue() * 1000,
                    n.get(RowCodec.COUNT).longValue(),
                    n.get(RowCodec.SUM).asDouble(),
                    n.get(RowCodec.MIN).asDouble(),
                    n.get(RowCodec.MAX).asDouble(),
                    Kind.valueOf(n.get(RowCodec.KIND).asText().toUpperCase(Locale.ROOT)),
                    n.get(RowCodec.VERSION).longValue(),
                    n.get(RowCodec.EMITTED_AT).longValue());
        }

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
            return ROW_BINARY;
        }
    }
}
