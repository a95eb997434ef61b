package io.rollcast.operators;

import io.rollcast.model.WindowStats;
import java.util.Arrays;

/**
 * The robust z-score of a window's metric against its trailing windows: {@code (x - median) /
 * scale}, with {@code scale = max(1.4826 x MAD, floor)}; 1.4826 x MAD estimates the standard
 * deviation of normal data and ignores the outliers themselves (a spike among the trailing windows
 * does not hide the next one). The floor keeps a perfectly steady history from turning any change
 * into an infinite score: {@code sqrt(max(median, 1))} for counts (Poisson noise), {@code 1 %} of
 * the median's magnitude for sums and quantiles. Pure arithmetic on the values, so the same
 * history gives the same score on every run.
 */
public final class AnomalyScore {
    /** Scores are clamped to +-1e6, keeping them finite for JSON and the stores. */
    static final double MAX_SCORE = 1e6;

    private AnomalyScore() {}

    public static WindowStats.Anomaly score(double x, double[] history, double threshold, boolean count) {
        double[] h = history.clone();
        double median = median(h);
        double[] dev = new double[h.length];
        for (int i = 0; i < h.length; i++) dev[i] = Math.abs(h[i] - median);
        double mad = median(dev);
        double floor = count ? Math.sqrt(Math.max(median, 1)) : Math.max(Math.abs(median) * 0.01, Double.MIN_NORMAL);
        double scale = Math.max(1.4826 * mad, floor);
        double score = Math.max(-MAX_SCORE, Math.min(MAX_SCORE, (x - median) / scale));
        return new WindowStats.Anomaly(score, median, Math.abs(score) >= threshold);
    }

    static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
