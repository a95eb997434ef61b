package io.rollcast.model;

/**
 * The change of one window since the last row emitted for it, next to the row's absolute values:
 * what the Redis delta sink publishes (see {@code docs/deltas.md}).
 *
 * <p>{@code d* = value - previous value}, where the previous values are those of the row with
 * version {@code prevVersion}, or all zero when {@code prevVersion == 0} (the window's first row).
 * A client that holds exactly {@code prevVersion} may add the changes; any other client takes the
 * absolute values, and only when {@code version} is higher than what it holds. Changes of sums are
 * differences of doubles (rounded); the absolute values are the truth.
 *
 * @param windowStart inclusive, epoch ms
 * @param windowEnd exclusive, epoch ms
 * @param prevVersion version of the row the changes are relative to; 0 for the window's first row
 * @param emittedAt processing time of the row's emission, epoch ms
 * @param stats the row's quantiles, distinct count and anomaly (absolute values, no changes), or null
 */
public record WindowDelta(
        String tenantId,
        String eventType,
        String spec,
        long windowStart,
        long windowEnd,
        Kind kind,
        long version,
        long prevVersion,
        long count,
        double sum,
        double min,
        double max,
        long dCount,
        double dSum,
        double dMin,
        double dMax,
        long emittedAt,
        WindowStats stats) {

    /** A delta of a row without {@link WindowStats}. */
    public WindowDelta(
            String tenantId,
            String eventType,
            String spec,
            long windowStart,
            long windowEnd,
            Kind kind,
            long version,
            long prevVersion,
            long count,
            double sum,
            double min,
            double max,
            long dCount,
            double dSum,
            double dMin,
            double dMax,
            long emittedAt) {
        this(
                tenantId,
                eventType,
                spec,
                windowStart,
                windowEnd,
                kind,
                version,
                prevVersion,
                count,
                sum,
                min,
                max,
                dCount,
                dSum,
                dMin,
                dMax,
                emittedAt,
                null);
    }

    /** {@code tenant|type|spec|windowStart}: the row key as one string. */
    public String windowKey() {
        return Keys.windowKey(tenantId, eventType, spec, windowStart);
    }

    /**
     * This delta as if {@code earlier} (an older delta of the same window) had never been sent: the
     * changes add up and are relative to {@code earlier}'s predecessor. Used to coalesce.
     */
    public WindowDelta since(WindowDelta earlier) {
        return new WindowDelta(
                tenantId,
                eventType,
                spec,
                windowStart,
                windowEnd,
                kind,
                version,
                earlier.prevVersion,
                count,
                sum,
                min,
                max,
                dCount + earlier.dCount,
                dSum + earlier.dSum,
                dMin + earlier.dMin,
                dMax + earlier.dMax,
                emittedAt,
                stats);
    }
}
