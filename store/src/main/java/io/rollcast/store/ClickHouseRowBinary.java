package io.rollcast.store;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
import io.rollcast.model.WindowStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a window row for {@code INSERT INTO <db>.rollups (<COLUMNS>) FORMAT RowBinary}: the
 * columns of {@code sql/clickhouse/V001__rollups.sql} in {@link RollupTable#COLUMNS} order, little-endian,
 * with no separators. Rows of a batch are simply concatenated.
 *
 * <p>A binary format because ClickHouse 18.16's text parsers (JSONEachRow, TSV, VALUES) are not
 * correctly rounded: some doubles were stored one ulp off, and subnormals flushed to zero. Here a
 * Float64 is its 8 IEEE bytes, so the table holds exactly the doubles the job computed.
 *
 * <ul>
 * <li>tenant_id, event_type, spec: {@code String}, the UTF-8 byte length as unsigned LEB128, then the bytes;
 * <li>window_start, window_end: {@code DateTime('UTC')}, UInt32 epoch seconds;
 * <li>count: {@code UInt64}, 8 bytes;
 * <li>sum, min, max: {@code Float64}, the 8 bytes of the raw IEEE 754 bits;
 * <li>kind: {@code Enum8('early' = 1, 'final' = 2, 'late' = 3)}, the Int8 value;
 * <li>version, emitted_at (epoch ms): {@code UInt64}, 8 bytes each;
 * <li>(V002) quantile_levels, quantiles: {@code Array(Float64)}, the element count as LEB128, then
 *     the elements; quantile_sketch, distinct_sketch: {@code String} (bytes); distinct_count:
 *     {@code Nullable(UInt64)}, anomaly_score, anomaly_baseline: {@code Nullable(Float64)},
 *     anomaly_flagged: {@code Nullable(UInt8)}: a null byte (1 = NULL, then nothing; 0 = a value follows).
 * </ul>
 *
 * <p>Nothing from a row reaches the SQL text: the statement is fixed, the row is the body.
 */
public final class ClickHouseRowBinary {

    /** Bytes of the fixed-width columns: 2 DateTime, 4 UInt64/Float64 of count..max, 1 Enum8, 2 UInt64. */
    private static final int FIXED_BYTES = 2 * 4 + 4 * 8 + 1 + 2 * 8;

    private static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private ClickHouseRowBinary() {}

    /** One row in RowBinary; see the class comment for the layout. */
    public static byte[] encode(WindowRow r) {
        byte[] tenant = r.tenantId().getBytes(StandardCharsets.UTF_8);
        byte[] type = r.eventType().getBytes(StandardCharsets.UTF_8);
        byte[] spec = r.spec().getBytes(StandardCharsets.UTF_8);
        WindowStats st = r.stats();
        boolean q = st != null && st.hasQuantiles();
        double[] levels = q ? st.quantileLevels() : new double[0];
        double[] quantiles = q ? st.quantiles() : new double[0];
        byte[] qSketch = q ? st.quantileSketch() : new byte[0];
        boolean d = st != null && st.hasDistinct();
        byte[] dSketch = d ? st.distinctSketch() : new byte[0];
        WindowStats.Anomaly a = st == null ? null : st.anomaly();
        int size = stringSize(tenant) + stringSize(type) + stringSize(spec) + FIXED_BYTES;
        size += 2 * (lebSize(levels.length) + 8 * levels.length) + stringSize(qSketch) + stringSize(dSketch);
        size += (d ? 9 : 1) + (a != null ? 9 + 9 + 2 : 3);
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        putString(b, tenant);
        putString(b, type);
        putString(b, spec);
        b.putInt((int) dateTime(r.windowStart()));
        b.putInt((int) dateTime(r.windowEnd()));
        b.putLong(uint64("count", r.count()));
        b.putLong(Double.doubleToRawLongBits(r.sum()));
        b.putLong(Double.doubleToRawLongBits(r.min()));
        b.putLong(Double.doubleToRawLongBits(r.max()));
        b.put(enum8(r.kind()));
        b.putLong(uint64("version", r.version()));
        b.putLong(uint64("emitted_at", r.emittedAt()));
        putDoubles(b, levels);
        putDoubles(b, quantiles);
        putString(b, qSketch);
        b.put((byte) (d ? 0 : 1));
        if (d) b.putLong(uint64("distinct_count", st.distinct()));
        putString(b, dSketch);
        if (a == null) {
            b.put((byte) 1).put((byte) 1).put((byte) 1);
        } else {
            b.put((byte) 0).putLong(Double.doubleToRawLongBits(a.score()));
            b.put((byte) 0).putLong(Double.doubleToRawLongBits(a.baseline()));
            b.put((byte) 0).put((byte) (a.flagged() ? 1 : 0));
        }
        return b.array();
    }

    /** The Enum8 values of the DDL's {@code kind} column. */
    public static byte enum8(Kind kind) {
        return switch (kind) {
            case EARLY -> 1;
            case FINAL -> 2;
            case LATE -> 3;
        };
    }

    /** DateTime is UInt32 seconds: the job rejects sub-second window specs for this store, and events before 1970. */
    private static long dateTime(long epochMs) {
        if (epochMs % 1000 != 0) {
            throw new IllegalArgumentException(
                    "ClickHouse window bounds must be whole seconds, got " + epochMs + " ms");
        }
        long seconds = epochMs / 1000;
        if (seconds < 0 || seconds > MAX_UINT32) {
            throw new IllegalArgumentException(
                    "ClickHouse DateTime holds 1970-01-01 to 2106-02-07, got " + epochMs + " ms");
        }
        return seconds;
    }

    private static long uint64(String column, long value) {
        if (value < 0) throw new IllegalArgumentException("ClickHouse " + column + " is a UInt64, got " + value);
        return value;
    }

    private static int stringSize(byte[] utf8) {
        return lebSize(utf8.length) + utf8.length;
    }

    private static int lebSize(int n) {
        int lengthBytes = 1;
        for (n >>>= 7; n != 0; n >>>= 7) lengthBytes++;
        return lengthBytes;
    }

    private static void putLeb(ByteBuffer b, int n) {
        while ((n & ~0x7F) != 0) {
            b.put((byte) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        b.put((byte) n);
    }

    /** An {@code Array(Float64)}: the element count as LEB128, then each element's 8 bytes. */
    private static void putDoubles(ByteBuffer b, double[] v) {
        putLeb(b, v.length);
        for (double x : v) b.putLong(Double.doubleToRawLongBits(x));
    }

    /** A String: its byte length as unsigned LEB128 (7 bits per byte, low first, high bit = more), then the bytes. */
    private static void putString(ByteBuffer b, byte[] utf8) {
        putLeb(b, utf8.length);
        b.put(utf8);
    }
}
