package io.rollcast.operators;

import java.util.Arrays;

/**
 * The event-time clock of one Kafka partition, robust to a few events stamped far ahead (a producer
 * whose clock is fast).
 *
 * <p><b>Rule.</b> The partition's time is the largest value that {@code confirmations} consecutive
 * events of the partition have all reached: the maximum, over every run of {@code confirmations}
 * consecutive valid events, of the smallest timestamp in the run. Its watermark is that time minus
 * the out-of-orderness bound (minus 1 ms, as Flink's bounded-out-of-orderness watermark).
 * <ul>
 *   <li>Fewer than {@code confirmations} consecutive far-ahead events never move it: an outlier's
 *       run contains an ordinary event, which is the run's minimum. Such events still count in their
 *       own (future) windows; they only do not move time.</li>
 *   <li>A real jump (a partition resuming after a pause) is confirmed after {@code confirmations}
 *       events, at the smallest of them.</li>
 *   <li>The trade-off: the watermark trails the stream by {@code confirmations} events in addition to
 *       the out-of-orderness bound (milliseconds on a busy partition, more on a sparse one); and a
 *       fast producer that sends {@code confirmations} events in a row with nothing between them does
 *       move time. {@code confirmations = 1} is the classic largest-timestamp watermark.</li>
 * </ul>
 *
 * <p><b>Deterministic and restart-safe.</b> The value depends only on the partition's valid events in
 * offset order. A clock started in the middle of a partition (a watermark generator after a
 * restore) considers fewer runs, so it is never ahead of the clock that saw the whole partition: the
 * restored clock of {@code partition-clocks} is always at or ahead of the source's watermark.
 */
public final class PartitionClock {
    private final int confirmations;
    /** The last {@code confirmations} timestamps, a ring. */
    private final long[] recent;

    private int seen; // min(events seen, confirmations)
    private int next; // ring position of the next event
    private long time = Long.MIN_VALUE;
    /** Offset of the last event applied; -1 before any. */
    private long offset = -1;

    public PartitionClock(int confirmations) {
        if (confirmations < 1) throw new IllegalArgumentException("confirmations must be at least 1");
        this.confirmations = confirmations;
        this.recent = new long[confirmations];
    }

    /**
     * Applies the next valid event of the partition.
     *
     * @return true when the event is ahead of the partition's time by more than {@code aheadMs} and did
     *     not move it (it waits for confirmation): counted as an outlier by the callers
     */
    public boolean add(long timestamp, long offset, long aheadMs) {
        this.offset = offset;
        recent[next] = timestamp;
        next = next + 1 == confirmations ? 0 : next + 1;
        if (seen < confirmations) seen++;
        long before = time;
        if (seen == confirmations) {
            long min = Long.MAX_VALUE;
            for (long t : recent) min = Math.min(min, t);
            if (min > time) time = min;
        }
        return before != Long.MIN_VALUE && timestamp - before > aheadMs && time < timestamp;
    }

    /** Applies the next valid event of the partition, when its offset and outliers do not matter (watermark generators). */
    public void add(long timestamp) {
        add(timestamp, offset + 1, Long.MAX_VALUE);
    }

    /** The confirmed time of the partition, {@code Long.MIN_VALUE} before {@code confirmations} events. */
    public long time() {
        return time;
    }

    /** The partition's watermark for an out-of-orderness bound. */
    public long watermark(long maxOutOfOrdernessMs) {
        return time == Long.MIN_VALUE ? Long.MIN_VALUE : time - maxOutOfOrdernessMs - 1;
    }

    public long offset() {
        return offset;
    }

    /** State as longs: {@code [partition, offset, time, seen, recent in arrival order...]}. */
    public long[] toState(int partition) {
        long[] s = new long[4 + seen];
        s[0] = partition;
        s[1] = offset;
        s[2] = time;
        s[3] = seen;
        for (int i = 0; i < seen; i++) s[4 + i] = recent[Math.floorMod(next - seen + i, confirmations)];
        return s;
    }

    /** A clock from {@link #toState}; with another {@code confirmations}, the most recent events are kept. */
    public static PartitionClock fromState(long[] s, int confirmations) {
        PartitionClock c = new PartitionClock(confirmations);
        c.offset = s[1];
        c.time = s[2];
        int stored = (int) s[3];
        int keep = Math.min(stored, confirmations);
        for (int i = stored - keep; i < stored; i++) {
            c.recent[c.next] = s[4 + i];
            c.next = c.next + 1 == confirmations ? 0 : c.next + 1;
            c.seen++;
        }
        return c;
    }

    @Override
    public String toString() {
        return "PartitionClock{time=" + time + ", offset=" + offset + ", recent=" + Arrays.toString(recent) + "}";
    }
}
