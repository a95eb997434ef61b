package io.rollcast.fanout.snapshot;

import java.util.Optional;

/**
 * What a client reads: the tenant (from its token), a window spec, optionally one event type, and
 * the window-start range {@code [from, to)}; {@code to} empty means open-ended (live).
 */
public record StreamQuery(String tenant, String spec, Optional<String> eventType, long from, Optional<Long> to) {

    /** Whether a window of {@code eventType} starting at {@code windowStart} belongs to this query. */
    public boolean covers(String type, long windowStart) {
        return windowStart >= from
                && (to.isEmpty() || windowStart < to.get())
                && (eventType.isEmpty() || eventType.get().equals(type));
    }
}
