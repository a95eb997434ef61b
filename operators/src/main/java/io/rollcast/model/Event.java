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
 */
public record Event(String eventId, String tenantId, String eventType, long timestamp, double value) {

    /** The rollup key: one key per (tenant, event type), so a hot tenant spreads over subtasks. */
    public String rollupKey() {
        return tenantId + '|' + eventType;
    }
}
