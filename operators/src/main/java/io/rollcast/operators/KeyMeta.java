package io.rollcast.operators;

import java.util.Arrays;

/**
 * Per-key bookkeeping of {@link WindowRollups}: which panes exist and which changed since the last
 * emission. Read and written once per new pane, per pane dirtied in a tick, and per timer, never
 * once per event.
 *
 * <p>A Flink POJO; its field names are part of the savepoint contract.
 */
public final class KeyMeta {
    /** Start times of the retained panes, ascending. */
    public long[] panes = new long[0];
    /** Panes changed by in-order events since the last early tick, ascending. */
    public long[] dirtyOpen = new long[0];
    /** Panes changed by late events since the last late flush, ascending. */
    public long[] dirtyLate = new long[0];
    /** Every window ending at or before this has had its final row emitted. */
    public long closedEnd = Long.MIN_VALUE;
    /** The last event-time timer handled; a timer at or before it is a re-fire and emits no finals. */
    public long finalizedUpTo = Long.MIN_VALUE;
    /** The pane size the panes were written with; a restore with other window specs must keep it. */
    public long paneMs;

    public KeyMeta() {}

    /** An independent copy (arrays copied). */
    KeyMeta copy() {
        KeyMeta m = new KeyMeta();
        m.panes = panes.clone();
        m.dirtyOpen = dirtyOpen.clone();
        m.dirtyLate = dirtyLate.clone();
        m.closedEnd = closedEnd;
        m.finalizedUpTo = finalizedUpTo;
        m.paneMs = paneMs;
        return m;
    }

    static long[] insert(long[] sorted, long v) {
        int i = Arrays.binarySearch(sorted, v);
        if (i >= 0) return sorted;
        int at = -i - 1;
        long[] out = new long[sorted.length + 1];
        System.arraycopy(sorted, 0, out, 0, at);
        out[at] = v;
        System.arraycopy(sorted, at, out, at + 1, sorted.length - at);
        return out;
    }

    /** Index of the first element {@code >= v}. */
    static int lowerBound(long[] sorted, long v) {
        int i = Arrays.binarySearch(sorted, v);
        if (i >= 0) {
            while (i > 0 && sorted[i - 1] == v) i--;
            return i;
        }
        return -i - 1;
    }

    /** True when some retained pane starts in {@code [from, to)}. */
    boolean hasPaneIn(long from, long to) {
        int i = lowerBound(panes, from);
        return i < panes.length && panes[i] < to;
    }

    static boolean anyIn(long[] sorted, long from, long to) {
        int i = lowerBound(sorted, from);
        return i < sorted.length && sorted[i] < to;
    }
}
