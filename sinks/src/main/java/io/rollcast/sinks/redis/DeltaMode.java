package io.rollcast.sinks.redis;

import java.util.Locale;

/** How the Redis delta sink publishes: every delta, the latest per window per interval, or nothing. */
public enum DeltaMode {
    /** Every delta, in order per window, batched for at most the flush interval. */
    LIVE,
    /**
     * Only the latest delta per window within the coalesce interval (its changes summed over the
     * ones it replaces): for backfills and replays, so subscribers are not flooded.
     */
    COALESCE,
    /** Nothing is published and Redis is never contacted; the stores are still written. */
    OFF;

    /** {@code live}, {@code coalesce} or {@code off}. */
    public static DeltaMode parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
