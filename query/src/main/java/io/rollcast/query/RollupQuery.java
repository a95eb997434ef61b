package io.rollcast.query;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the window rows of one tenant and window spec over a time range from a rollup store.
 *
 * <p>Tenant, spec and event type are checked against {@code [A-Za-z0-9._-]{1,64}} (the event
 * contract's charset) before they reach any query; a bad one throws {@link IllegalArgumentException}.
 */
public interface RollupQuery extends AutoCloseable {
    Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * The rows with {@code fromMs <= window_start < toMs}, of every event type or only of
     * {@code eventType}, ordered by window start, then event type; one row per window (its highest
     * version).
     */
    List<WindowRowDto> windows(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs);

    @Override
    default void close() {}

    /** Returns {@code value} if it matches {@link #NAME}, else throws naming {@code what}. */
    static String requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must match [A-Za-z0-9._-]{1,64}");
        }
        return value;
    }

    /** Validates all arguments of {@link #windows}. */
    static void check(String tenant, String spec, Optional<String> eventType, long fromMs, long toMs) {
        requireName("tenant", tenant);
        requireName("spec", spec);
        eventType.ifPresent(t -> requireName("event type", t));
        if (fromMs > toMs) throw new IllegalArgumentException("time range is reversed: from " + fromMs + " > to " + toMs);
    }
}
