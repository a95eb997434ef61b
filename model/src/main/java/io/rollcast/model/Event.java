package io.rollcast.model;

/**
 * One validated tenant event, as the rollups see it.
 *
 * <p>Produced only by {@link io.rollcast.operators.EventParser}; every field has been checked
 * against the event contract, so downstream code never re-validates.
 *
 * @param eventId producer-assigned id, unique per tenant, at most 128 characters
 * @param tenantId {@code [A-Za-z0-9._-]{1,64}}
 * @param eventType same charset as the tenant id
 * @param timestamp event time in epoch milliseconds
 * @param value finite number, 1 when the producer sent none
 * @param partition the Kafka partition it was read from, -1 when not read from Kafka
 * @param offset its offset in that partition, -1 when not read from Kafka
 * @param partitionWatermark the watermark of its own partition when it was read ({@link
 *     io.rollcast.operators.PartitionClock}); whether it is too late is judged against this, so a
 *     replay decides the same whatever the other partitions do. {@code Long.MIN_VALUE} until stamped.
 * @param distinctHash 64-bit hash of the value at the {@code windows.distinct} path of the payload, 0
 *     when that is not configured or the event has no scalar there
 */
public record Event(
        String eventId,
        String tenantId,
        String eventType,
        long timestamp,
        double value,
        int partition,
        long offset,
        long partitionWatermark,
        long distinctHash) {

    public Event(String eventId, String tenantId, String eventType, long timestamp, double value) {
        this(eventId, tenantId, eventType, timestamp, value, -1, -1L, Long.MIN_VALUE, 0L);
    }

    public Event(
            String eventId,
            String tenantId,
            String eventType,
            long timestamp,
            double value,
            int partition,
            long offset,
            long partitionWatermark) {
        this(eventId, tenantId, eventType, timestamp, value, partition, offset, partitionWatermark, 0L);
    }

    /** This event with the hash of its distinct-path value. */
    public Event withDistinctHash(long hash) {
        return new Event(eventId, tenantId, eventType, timestamp, value, partition, offset, partitionWatermark, hash);
    }

    /** The rollup key: one key per (tenant, event type), so a hot tenant spreads over subtasks. */
    public String rollupKey() {
        return Keys.rollupKey(tenantId, eventType);
    }

    /** This event read from {@code partition} at {@code offset}. */
    public Event at(int partition, long offset) {
        return new Event(
                eventId, tenantId, eventType, timestamp, value, partition, offset, partitionWatermark, distinctHash);
    }

    /** This event stamped with its partition's watermark. */
    public Event withPartitionWatermark(long watermark) {
        return new Event(eventId, tenantId, eventType, timestamp, value, partition, offset, watermark, distinctHash);
    }
}
