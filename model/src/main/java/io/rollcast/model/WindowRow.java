package io.rollcast.model;

/**
 * One version of one window's rollup: the changelog record sent to the stores and to Redis.
 *
 * <p>Key: (tenantId, eventType, spec, windowStart). {@code version} is monotonic in the window's
 * content, not in the number of emissions: {@code 2 * count + (closed ? 1 : 0)}, where closed means
 * the row is final or late. The count of aggregated events only grows for one window, and the same
 * content always yields the same version, so "higher version wins" stays correct after a restore
 * replays events and early firings happen at other moments.
 *
 * @param spec the window spec id, e.g. {@code tumbling-1m} or {@code sliding-5m-1m}
 * @param windowStart inclusive, epoch ms
 * @param windowEnd exclusive, epoch ms
 * @param emittedAt processing time of the emission, epoch ms
 * @param stats quantiles, distinct count and anomaly score when configured ({@link WindowStats}), else null
 */
public record WindowRow(
        String tenantId,
        String eventType,
        String spec,
        long windowStart,
        long windowEnd,
        long count,
        double sum,
        double min,
        double max,
        Kind kind,
        long version,
        long emittedAt,
        WindowStats stats) {

    /** A row without {@link WindowStats} (none configured). */
    public WindowRow(
            String tenantId,
            String eventType,
            String spec,
            long windowStart,
            long windowEnd,
            long count,
            double sum,
            double min,
            double max,
            Kind kind,
            long version,
            long emittedAt) {
        this(tenantId, eventType, spec, windowStart, windowEnd, count, sum, min, max, kind, version, emittedAt, null);
    }

    /** This row with other stats. */
    public WindowRow withStats(WindowStats s) {
        return new WindowRow(
                tenantId, eventType, spec, windowStart, windowEnd, count, sum, min, max, kind, version, emittedAt, s);
    }

    /** {@code tenant|type|spec|windowStart}: the row key as one string. */
    public String windowKey() {
        return Keys.windowKey(tenantId, eventType, spec, windowStart);
    }

    /** {@code tenant|type}: the Flink key of the operators that made it. */
    public String rollupKey() {
        return Keys.rollupKey(tenantId, eventType);
    }

    /** The content-derived version; see the class comment. */
    public static long version(long count, boolean closed) {
        return 2 * count + (closed ? 1 : 0);
    }
}
