package io.rollcast.store;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowRow;
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
 * <li>version, emitted_at (epoch ms): {@code UInt64}, 8 bytes each.
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
        int size = stringSize(tenant) + stringSize(type) + stringSize(spec) + FIXED_BYTES;
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
        int lengthBytes = 1;
        for (int n = utf8.length >>> 7; n != 0; n >>>= 7) lengthBytes++;
        return lengthBytes + utf8.length;
    }

    /** A String: its byte length as unsigned LEB128 (7 bits per byte, low first, high bit = more), then the bytes. */
    private static void putString(ByteBuffer b, byte[] utf8) {
        int n = utf8.length;
        while ((n & ~0x7F) != 0) {
            b.put((byte) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        b.put((byte) n);
        b.put(utf8);
    }
}
