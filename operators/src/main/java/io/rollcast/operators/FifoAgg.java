package io.rollcast.operators;

/**
 * Sliding-window aggregation over a FIFO of pane aggregates with the Two-Stacks algorithm
 * (Tangwongsan et al.): push at the back, evict at the front, query the whole queue, each in O(1)
 * amortized combines, never subtracting.
 *
 * <p>Elements are (pane start, aggregate) pushed in increasing start order. {@link #pushedUpTo}
 * records that every pane with a start below it has been pushed (or was empty).
 */
final class FifoAgg {
    // front stack: oldest element at frontHead; frontSuffix[i] = combine(frontVals[i..frontSize))
    private long[] frontStarts = new long[0];
    private Agg[] frontSuffix = new Agg[0];
    private int frontHead;
    private int frontSize;

    // back stack: insertion order, with the running aggregate of all of it
    private long[] backStarts = new long[4];
    private Agg[] backVals = new Agg[4];
    private int backSize;
    private Agg backAgg;

    private long windowStart;
    long pushedUpTo;

    FifoAgg(long windowStart) {
        this.windowStart = windowStart;
        this.pushedUpTo = windowStart;
    }

    long windowStart() {
        return windowStart;
    }

    void push(long start, Agg value) {
        if (backSize == backStarts.length) {
            backStarts = java.util.Arrays.copyOf(backStarts, backSize * 2);
            backVals = java.util.Arrays.copyOf(backVals, backSize * 2);
        }
        backStarts[backSize] = start;
        backVals[backSize] = value;
        backSize++;
        backAgg = Agg.combine(backAgg, value);
    }

    /** Drops every element whose start is below {@code newWindowStart}. */
    void evictBefore(long newWindowStart) {
        windowStart = Math.max(windowStart, newWindowStart);
        while (true) {
            if (frontHead < frontSize) {
                if (frontStarts[frontHead] >= windowStart) return;
                frontSuffix[frontHead] = null;
                frontHead++;
            } else if (backSize > 0 && backStarts[0] < windowStart) {
                flip();
            } else {
                return;
            }
        }
    }

    /** The aggregate of every element in the queue (count 0 when empty). */
    Agg query() {
        Agg front = frontHead < frontSize ? frontSuffix[frontHead] : null;
        return Agg.combine(front, backAgg);
    }

    boolean isEmpty() {
        return frontHead >= frontSize && backSize == 0;
    }

    private void flip() {
        // front is empty here: move the back stack over, computing suffix aggregates newest-first
        if (frontStarts.length < backSize) {
            frontStarts = new long[backSize];
            frontSuffix = new Agg[backSize];
        }
        Agg acc = null;
        for (int i = backSize - 1; i >= 0; i--) {
            acc = Agg.combine(backVals[i], acc);
            frontStarts[i] = backStarts[i];
            frontSuffix[i] = acc;
            backVals[i] = null;
        }
        frontHead = 0;
        frontSize = backSize;
        backSize = 0;
        backAgg = null;
    }
}
