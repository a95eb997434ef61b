package io.rollcast.store;

import io.rollcast.model.Names;
import io.rollcast.model.WindowRow;
import java.util.List;
import java.util.Optional;

/**
 * Reads the window rows of one tenant and window spec over a time range from a rollup store.
 *
 * <p>Tenant, spec and event type are checked against {@link Names#RULE} (the event
 * contract's charset) before they reach any query; a bad one throws {@link IllegalArgumentException}.
 */
public interface RollupQuery extends AutoCloseable {
    /**
     * The rows with {@code fromMs <= window_start < toMs}, of every event type or only of
     * {@code eventType}, ordered by window start, then event type; one row per window (its highest
     * version).
     */
    List<WindowRow> windows(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs);

    /** The first {@code limit} rows of {@link #windows(String, String, Optional, long, long)}, same order. */
    default List<WindowRow> windows(
            String tenant, String spec, Optional<String> eventType, long fromMs, long toMs, int limit) {
        List<WindowRow> all = windows(tenant, spec, eventType, fromMs, toMs);
        return all.size() <= limit ? all : List.copyOf(all.subList(0, Math.max(0, limit)));
    }

    @Override
    default void close() {}

    /** Validates all arguments of {@link #windows}. */
    static void check(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        Names.require("tenant", tenant);
        Names.require("spec", spec);
        eventType.ifPresent(t -> Names.require("event type", t));
        if (fromMs > toMs)
            throw new IllegalArgumentException("time range is reversed: from " + fromMs + " > to " + toMs);
    }
}
