package io.rollcast.sinks;

import io.rollcast.model.WindowRow;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/**
 * Encodes a window row as one JSONEachRow line for the ClickHouse rollup table: window bounds in
 * epoch seconds (DateTime), emitted_at in epoch milliseconds, kind as its enum name.
 *
 * <p>Strings are escaped by Jackson; nothing from a row ever reaches the SQL text.
 */
public final class ClickHouseRowConverter implements ElementConverter<WindowRow, byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] apply(WindowRow row, SinkWriter.Context context) {
        return encode(row);
    }

    /** JSONEachRow line of the row, with window bounds in seconds (DateTime). */
    public static byte[] encode(WindowRow r) {
        return RowJson.row(r, ClickHouseRowConverter::seconds);
    }

    /** DateTime has second resolution: the job rejects sub-second window specs for this store. */
    private static long seconds(long epochMs) {
        if (epochMs % 1000 != 0) {
            throw new IllegalArgumentException("ClickHouse window bounds must be whole seconds, got " + epochMs + " ms");
        }
        return epochMs / 1000;
    }
}
