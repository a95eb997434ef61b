package io.rollcast.query;

/**
 * One stored window row as read back from a store, with times in epoch milliseconds.
 *
 * @param kind {@code early}, {@code final} or {@code late}
 * @param version content-monotonic version ({@code 2 * count + closed}); a reader applying deltas
 *     keeps a row only when a delta's version is higher
 */
public record WindowRowDto(
        String tenantId,
        String eventType,
        String spec,
        long windowStart,
        long windowEnd,
        long count,
        double sum,
        double min,
        double max,
        String kind,
        long version,
        long emittedAt) {}
