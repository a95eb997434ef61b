package io.rollcast.operators;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.mapping.CubicallyInterpolatedMapping;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import com.datadoghq.sketch.ddsketch.store.Store;

/**
 * The DDSketch of a pane's or a window's values, kept in a canonical form: for each sign, the
 * counts of consecutive bucket indices of {@link #MAPPING} (relative accuracy {@link
 * #RELATIVE_ACCURACY}), plus the count of zeros.
 *
 * <p><b>Order-independent by construction.</b> A bucket count is a sum of ones, and a store holds
 * at most {@link #MAX_BINS} buckets per sign: when its indices span more, every bucket below
 * {@code highest - MAX_BINS + 1} is folded into that one (DDSketch's "collapsing lowest" store).
 * Folding depends only on the highest index ever added, so the result is a function of the
 * multiset of values, whatever order they were added or merged in. Queries and the serialized form
 * go through the library's {@link DDSketch}, built from these buckets in ascending order.
 *
 * <p><b>Accuracy.</b> The value returned for quantile q is within 1 % (relative) of the value of
 * rank {@code floor(q x (n - 1))} of the sorted values, as long as no bucket was folded: the
 * buckets of one sign cover a ratio of {@code 1.0202^512}, about 26 000, between the largest and
 * the smallest magnitude (e.g. 1 ms to 26 s). Below that, values are over-estimated.
 *
 * <p>A Flink POJO (pane state inside {@link Agg}).
 */
public final class QuantileSketch {
    /** Relative accuracy of every quantile. */
    public static final double RELATIVE_ACCURACY = 0.01;
    /** Bucket bound per sign: at most 4 KB of counts each. */
    public static final int MAX_BINS = 512;
    /** The index mapping: cubically interpolated log, pure arithmetic (no {@code Math.log}), so every JVM agrees. */
    public static final IndexMapping MAPPING = new CubicallyInterpolatedMapping(RELATIVE_ACCURACY);

    private static final long[] EMPTY = new long[0];
    private static final double MIN_INDEXABLE = MAPPING.minIndexableValue();

    /** Index of {@code pos[0]}. */
    public int posOffset;
    /** Counts of positive values by bucket index {@code posOffset + i}; first and last non-zero. */
    public long[] pos = EMPTY;

    public int negOffset;
    /** Counts of negative values by the bucket index of their magnitude. */
    public long[] neg = EMPTY;
    /** Values whose magnitude is below the mapping's smallest indexable value (zero). */
    public long zeros;

    public QuantileSketch() {}

    public void add(double v) {
        if (v >= MIN_INDEXABLE) {
            int i = MAPPING.index(v);
            if (pos.length > 0 && i >= posOffset && i < posOffset + pos.length) {
                pos[i - posOffset]++;
            } else {
                long[] one = {1};
                pos = union(pos, posOffset, one, i);
                posOffset = lastOffset;
            }
        } else if (v <= -MIN_INDEXABLE) {
            int i = MAPPING.index(-v);
            if (neg.length > 0 && i >= negOffset && i < negOffset + neg.length) {
                neg[i - negOffset]++;
            } else {
                long[] one = {1};
                neg = union(neg, negOffset, one, i);
                negOffset = lastOffset;
            }
        } else {
            zeros++;
        }
    }

    public void merge(QuantileSketch o) {
        if (o.pos.length > 0) {
            pos = union(pos, posOffset, o.pos, o.posOffset);
            posOffset = lastOffset;
        }
        if (o.neg.length > 0) {
            neg = union(neg, negOffset, o.neg, o.negOffset);
            negOffset = lastOffset;
        }
        zeros += o.zeros;
    }

    public QuantileSketch copy() {
        QuantileSketch c = new QuantileSketch();
        c.posOffset = posOffset;
        c.pos = pos.length == 0 ? EMPTY : pos.clone();
        c.negOffset = negOffset;
        c.neg = neg.length == 0 ? EMPTY : neg.clone();
        c.zeros = zeros;
        return c;
    }

    public long count() {
        long n = zeros;
        for (long c : pos) n += c;
        for (long c : neg) n += c;
        return n;
    }

    // offset of the array returned by the last union (single-threaded: one operator instance)
    private transient int lastOffset;

    /** The counts of both stores added, folded to {@link #MAX_BINS}; sets {@link #lastOffset}. */
    private long[] union(long[] a, int aOff, long[] b, int bOff) {
        if (a.length == 0) {
            lastOffset = bOff;
            return b.clone();
        }
        int hi = Math.max(aOff + a.length - 1, bOff + b.length - 1);
        int lo = Math.max(Math.min(aOff, bOff), hi - MAX_BINS + 1);
        long[] out = new long[hi - lo + 1];
        for (int k = 0; k < a.length; k++) out[Math.max(aOff + k, lo) - lo] += a[k];
        for (int k = 0; k < b.length; k++) out[Math.max(bOff + k, lo) - lo] += b[k];
        lastOffset = lo;
        return out;
    }

    /** The library sketch of these counts, built in ascending index order. */
    public DDSketch toDDSketch() {
        Store negative = new CollapsingLowestDenseStore(MAX_BINS);
        Store positive = new CollapsingLowestDenseStore(MAX_BINS);
        for (int k = 0; k < neg.length; k++) if (neg[k] != 0) negative.add(negOffset + k, neg[k]);
        for (int k = 0; k < pos.length; k++) if (pos[k] != 0) positive.add(posOffset + k, pos[k]);
        return DDSketch.of(MAPPING, negative, positive, zeros);
    }

    /** The estimated quantiles at {@code levels}; NaN for an empty sketch. */
    public double[] quantiles(double[] levels) {
        if (count() == 0) {
            double[] nan = new double[levels.length];
            java.util.Arrays.fill(nan, Double.NaN);
            return nan;
        }
        return toDDSketch().getValuesAtQuantiles(levels);
    }

    /**
     * DDSketch's binary encoding with its index mapping ({@code DDSketch.encode}; {@code
     * DDSketch.decode(ByteArrayInput.wrap(bytes), store supplier)} reads it back and merges it).
     */
    public byte[] serialize() {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(64 + 2 * (pos.length + neg.length));
        try {
            toDDSketch().encode(out, false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.trimmedCopy();
    }
}
