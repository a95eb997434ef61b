package io.rollcast.operators;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Which statistics beyond count/sum/min/max the rollups keep ({@code windows.quantiles},
 * {@code windows.distinct}, {@code windows.anomaly.*}; see {@code docs/windows.md}).
 *
 * @param quantileLevels ascending levels in (0, 1); empty for none
 * @param distinct whether events carry a distinct hash to count ({@code windows.distinct} set)
 * @param anomalyHistory trailing windows of the same key and spec a closed row is scored against; 0 disables
 * @param anomalyThreshold {@code |score| >= this} flags the row
 * @param anomalyMetric {@code count}, {@code sum} or {@code p99} (needs 0.99 among the quantiles)
 */
public record RollupStats(
        double[] quantileLevels, boolean distinct, int anomalyHistory, double anomalyThreshold, String anomalyMetric)
        implements Serializable {

    public static final RollupStats NONE = new RollupStats(new double[0], false, 0, 3.5, "count");

    public RollupStats {
        quantileLevels = quantileLevels.clone();
        for (int i = 0; i < quantileLevels.length; i++) {
            double q = quantileLevels[i];
            if (!(q > 0 && q < 1)) throw new IllegalArgumentException("quantile " + q + " is not in (0, 1)");
            if (i > 0 && q <= quantileLevels[i - 1]) {
                throw new IllegalArgumentException("quantiles must be ascending and distinct");
            }
        }
        if (anomalyHistory < 0) throw new IllegalArgumentException("anomaly history must not be negative");
        if (anomalyHistory > 0 && anomalyHistory < 3) {
            throw new IllegalArgumentException("anomaly history needs at least 3 windows");
        }
        if (!(anomalyThreshold > 0)) throw new IllegalArgumentException("anomaly threshold must be positive");
        switch (anomalyMetric) {
            case "count", "sum" -> {}
            case "p99" -> {
                if (anomalyHistory > 0 && Arrays.stream(quantileLevels).noneMatch(q -> q == 0.99)) {
                    throw new IllegalArgumentException("anomaly metric p99 needs 0.99 among the quantiles");
                }
            }
            default ->
                throw new IllegalArgumentException("anomaly metric '" + anomalyMetric + "' is not count, sum or p99");
        }
    }

    public boolean quantiles() {
        return quantileLevels.length > 0;
    }

    public boolean anomaly() {
        return anomalyHistory > 0;
    }

    public boolean any() {
        return quantiles() || distinct || anomaly();
    }

    /** Windows with a row among the trailing ones needed for a score: half the history, rounded up. */
    public int minHistory() {
        return (anomalyHistory + 1) / 2;
    }
}
