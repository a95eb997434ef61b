package io.rollcast.fanout.session;

import io.rollcast.fanout.snapshot.SnapshotService;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a session tries a failed snapshot or resume read again. A failed read (a store or Redis restart)
 * is retried a few times before the session gives up on the client. A read the full pool refused (a
 * burst of resyncs, e.g. after a Redis reconnect) is retried with exponential backoff and jitter
 * (0.25, 0.5, 1, 2, 4, 4 s, each plus up to as much), so the burst spreads out instead of every session
 * retrying at once.
 */
final class Retries {
    private static final Logger LOG = LoggerFactory.getLogger(Retries.class);
    private static final int MAX_RETRIES = 3;
    private static final int MAX_BUSY_RETRIES = 6;

    private int failures;
    private int busyRetries;

    /** The delay before trying again after {@code err} (ms), or -1 when the tries are used up. */
    long next(Throwable err) {
        if (SnapshotService.rejected(err)) {
            if (++busyRetries > MAX_BUSY_RETRIES) return -1;
            long base = Math.min(4_000L, 250L << (busyRetries - 1));
            long delayMs = base + ThreadLocalRandom.current().nextLong(base);
            LOG.debug("snapshot pool full; retry {} of {} in {} ms", busyRetries, MAX_BUSY_RETRIES, delayMs);
            return delayMs;
        }
        if (++failures > MAX_RETRIES) return -1;
        LOG.info("snapshot read failed ({}); retry {} of {}", err.toString(), failures, MAX_RETRIES);
        return 500L * failures;
    }

    /** A read got through the pool: refusals count from 0 again. */
    void admitted() {
        busyRetries = 0;
    }

    /** A snapshot was read: failures and refusals count from 0 again. */
    void succeeded() {
        failures = 0;
        busyRetries = 0;
    }
}
