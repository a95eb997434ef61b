package io.rollcast.operators;

import java.util.Arrays;

/**
 * Keyed state {@code anomaly-history} of {@code window-rollups}: per (spec, window start) the
 * anomaly metric of the window's latest closed row. Entries are recorded by final and late rows and
 * purged by event time once no window that may still emit can have them among its trailing windows.
 * A Flink POJO: parallel arrays, small (specs x (history + lateness and size in slides)).
 */
public final class AnomalyHistory {
    public String[] specs = new String[0];
    public long[] starts = new long[0];
    public double[] values = new double[0];

    public AnomalyHistory() {}

    int indexOf(String spec, long start) {
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] == start && specs[i].equals(spec)) return i;
        }
        return -1;
    }

    void put(String spec, long start, double value) {
        int i = indexOf(spec, start);
        if (i < 0) {
            i = starts.length;
            specs = Arrays.copyOf(specs, i + 1);
            starts = Arrays.copyOf(starts, i + 1);
            values = Arrays.copyOf(values, i + 1);
            specs[i] = spec;
            starts[i] = start;
        }
        values[i] = value;
    }

    /** Keeps the entries {@code keep} accepts; true if any was removed. */
    boolean retain(java.util.function.BiPredicate<String, Long> keep) {
        int n = 0;
        for (int i = 0; i < starts.length; i++) {
            if (keep.test(specs[i], starts[i])) {
                specs[n] = specs[i];
                starts[n] = starts[i];
                values[n] = values[i];
                n++;
            }
        }
        if (n == starts.length) return false;
        specs = Arrays.copyOf(specs, n);
        starts = Arrays.copyOf(starts, n);
        values = Arrays.copyOf(values, n);
        return true;
    }

    boolean isEmpty() {
        return starts.length == 0;
    }

    long maxStart() {
        long m = Long.MIN_VALUE;
        for (long s : starts) m = Math.max(m, s);
        return m;
    }

    AnomalyHistory copy() {
        AnomalyHistory c = new AnomalyHistory();
        c.specs = specs.clone();
        c.starts = starts.clone();
        c.values = values.clone();
        return c;
    }
}
