package io.rollcast.operators;

/**
 * Count, exact sum, min and max of a set of values: the state of one pane, and the result of
 * combining panes into a window.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so its state schema can evolve.
 */
public final class Agg {
    public long count;
    /** Exact-sum partials, see {@link ExactSum}. */
    public double[] sum = EMPTY;

    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;
    /**
     * Pane state only: {@link #CLEAN}, {@link #DIRTY_OPEN} (changed since the last early tick) or
     * {@link #DIRTY_LATE} (changed by a late event since the last late flush).
     */
    public byte dirty;
    /** Quantiles of the values when {@code windows.quantiles} is set, else null (and null in state restored from before). */
    public QuantileSketch quantiles;
    /** Distinct values of {@code windows.distinct} when set, else null. */
    public DistinctSketch distinct;

    public static final byte CLEAN = 0;
    public static final byte DIRTY_OPEN = 1;
    public static final byte DIRTY_LATE = 2;

    private static final double[] EMPTY = new double[0];

    public Agg() {}

    public static Agg of(double value) {
        Agg a = new Agg();
        a.add(value);
        return a;
    }

    public void add(double value) {
        count++;
        sum = ExactSum.add(sum, value);
        if (value < min) min = value;
        if (value > max) max = value;
    }

    /**
     * Adds an event's value to the sketches this aggregate keeps; {@code distinctHash} 0 means the
     * event has no value at the distinct path.
     */
    public void addToSketches(double value, long distinctHash) {
        if (quantiles != null) quantiles.add(value);
        if (distinct != null && distinctHash != 0) distinct.addHash(distinctHash);
    }

    /** An independent copy (the partials array is copied too). */
    public Agg copy() {
        Agg a = new Agg();
        a.count = count;
        a.sum = sum.length == 0 ? sum : sum.clone();
        a.min = min;
        a.max = max;
        a.dirty = dirty;
        a.quantiles = quantiles == null ? null : quantiles.copy();
        a.distinct = distinct == null ? null : distinct.copy();
        return a;
    }

    /** Adds {@code other} into this. */
    public void merge(Agg other) {
        count += other.count;
        sum = ExactSum.addAll(sum, other.sum);
        if (other.min < min) min = other.min;
        if (other.max > max) max = other.max;
        if (other.quantiles != null) {
            if (quantiles == null) quantiles = other.quantiles.copy();
            else quantiles.merge(other.quantiles);
        }
        if (other.distinct != null) {
            if (distinct == null) distinct = other.distinct.copy();
            else distinct.merge(other.distinct);
        }
    }

    /** A new aggregate equal to {@code a} combined with {@code b}; either may be null (empty). */
    public static Agg combine(Agg a, Agg b) {
        Agg out = new Agg();
        if (a != null) out.merge(a);
        if (b != null) out.merge(b);
        return out;
    }

    public double sumValue() {
        return ExactSum.round(sum);
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
