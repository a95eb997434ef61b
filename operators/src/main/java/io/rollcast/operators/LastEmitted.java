package io.rollcast.operators;

import java.util.Arrays;

/**
 * What {@link DeltaEmitter} last emitted for the windows of one key that share a clean-up time (the
 * windows ending at the same time): one entry per window (spec, start) with its version and
 * absolute values, in parallel arrays.
 *
 * <p>A Flink POJO; its field names are part of the savepoint contract.
 */
public final class LastEmitted {
    public String[] specs = new String[0];
    public long[] starts = new long[0];
    public long[] versions = new long[0];
    public long[] counts = new long[0];
    public double[] sums = new double[0];
    public double[] mins = new double[0];
    public double[] maxs = new double[0];

    public LastEmitted() {}

    /** An independent copy (arrays copied). */
    LastEmitted copy() {
        LastEmitted l = new LastEmitted();
        l.specs = specs.clone();
        l.starts = starts.clone();
        l.versions = versions.clone();
        l.counts = counts.clone();
        l.sums = sums.clone();
        l.mins = mins.clone();
        l.maxs = maxs.clone();
        return l;
    }

    /** Index of the window ({@code spec}, {@code start}), or -1. */
    int indexOf(String spec, long start) {
        for (int i = 0; i < specs.length; i++) {
            if (starts[i] == start && specs[i].equals(spec)) return i;
        }
        return -1;
    }

    /** Sets the entry of the window ({@code spec}, {@code start}), appending one if it is new. */
    void put(String spec, long start, long version, long count, double sum, double min, double max) {
        int i = indexOf(spec, start);
        if (i < 0) {
            i = specs.length;
            specs = Arrays.copyOf(specs, i + 1);
            starts = Arrays.copyOf(starts, i + 1);
            versions = Arrays.copyOf(versions, i + 1);
            counts = Arrays.copyOf(counts, i + 1);
            sums = Arrays.copyOf(sums, i + 1);
            mins = Arrays.copyOf(mins, i + 1);
            maxs = Arrays.copyOf(maxs, i + 1);
            specs[i] = spec;
            starts[i] = start;
        }
        versions[i] = version;
        counts[i] = count;
        sums[i] = sum;
        mins[i] = min;
        maxs[i] = max;
    }
}
