package io.rollcast.model;

import java.util.Arrays;

/**
 * The optional statistics of a window row beyond count/sum/min/max (see {@code docs/windows.md}):
 * quantiles of {@code value} ({@code windows.quantiles}), the number of distinct values of a
 * payload field ({@code windows.distinct}), and the anomaly score of a closed row ({@code
 * windows.anomaly.*}). A part that is not configured is absent: empty arrays, {@code -1}, null.
 *
 * <p>The sketches are canonical byte strings: the same events give the same bytes whatever order
 * they arrived in, so "higher version wins" stays exact and a query can merge windows later.
 *
 * @param quantileLevels the configured levels, ascending (e.g. 0.5, 0.9, 0.99); empty when not configured
 * @param quantiles the estimated quantile of each level (DDSketch, relative error at most 1 %)
 * @param quantileSketch the window's DDSketch ({@code DDSketch.encode} with its mapping); empty when not configured
 * @param distinct estimated number of distinct values (HyperLogLog); {@code -1} when not configured
 * @param distinctSketch the window's HyperLogLog registers; empty when not configured
 * @param anomaly the anomaly score of a final or late row, or null (not configured, an early row, too little history)
 */
public record WindowStats(
        double[] quantileLevels,
        double[] quantiles,
        byte[] quantileSketch,
        long distinct,
        byte[] distinctSketch,
        Anomaly anomaly) {

    private static final double[] NO_DOUBLES = new double[0];
    private static final byte[] NO_BYTES = new byte[0];

    public WindowStats {
        quantileLevels = quantileLevels == null ? NO_DOUBLES : quantileLevels;
        quantiles = quantiles == null ? NO_DOUBLES : quantiles;
        quantileSketch = quantileSketch == null ? NO_BYTES : quantileSketch;
        distinctSketch = distinctSketch == null ? NO_BYTES : distinctSketch;
        if (quantileLevels.length != quantiles.length) {
            throw new IllegalArgumentException("one quantile per level");
        }
    }

    /**
     * The robust z-score of a closed row against the same key's trailing windows of its spec.
     *
     * @param score {@code (x - baseline) / scale}, where scale is 1.4826 x the median absolute deviation
     * @param baseline the median of the trailing windows' metric
     * @param flagged {@code |score| >= windows.anomaly.threshold}
     */
    public record Anomaly(double score, double baseline, boolean flagged) {}

    public boolean hasQuantiles() {
        return quantileLevels.length > 0;
    }

    public boolean hasDistinct() {
        return distinct >= 0;
    }

    public WindowStats withAnomaly(Anomaly a) {
        return new WindowStats(quantileLevels, quantiles, quantileSketch, distinct, distinctSketch, a);
    }

    /** The quantile at {@code level}, or NaN when that level is not configured. */
    public double quantile(double level) {
        for (int i = 0; i < quantileLevels.length; i++) {
            if (quantileLevels[i] == level) return quantiles[i];
        }
        return Double.NaN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WindowStats s
                && Arrays.equals(quantileLevels, s.quantileLevels)
                && Arrays.equals(quantiles, s.quantiles)
                && Arrays.equals(quantileSketch, s.quantileSketch)
                && distinct == s.distinct
                && Arrays.equals(distinctSketch, s.distinctSketch)
                && java.util.Objects.equals(anomaly, s.anomaly);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                Arrays.hashCode(quantileLevels),
                Arrays.hashCode(quantiles),
                Arrays.hashCode(quantileSketch),
                distinct,
                Arrays.hashCode(distinctSketch),
                anomaly);
    }

    @Override
    public String toString() {
        return "WindowStats[quantiles=" + Arrays.toString(quantileLevels) + "->" + Arrays.toString(quantiles)
                + " (" + quantileSketch.length + " B), distinct=" + distinct + " (" + distinctSketch.length
                + " B), anomaly=" + anomaly + "]";
    }
}
