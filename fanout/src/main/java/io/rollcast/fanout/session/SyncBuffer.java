package io.rollcast.fanout.session;

import io.rollcast.fanout.redis.DeltaMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * The deltas that arrive while a sync reads its snapshot, sent after it when they are newer. At most
 * {@code client.max-pending}: past that only the overflow is remembered, and the sync is followed by a
 * fresh one. On the session's event loop.
 */
final class SyncBuffer {
    private final int max;
    private List<DeltaMessage> held = new ArrayList<>();
    private boolean overflow;

    SyncBuffer(int max) {
        this.max = max;
    }

    /** Empties the buffer for a new sync. */
    void reset() {
        held = new ArrayList<>();
        overflow = false;
    }

    void add(DeltaMessage m) {
        if (overflow) return;
        if (held.size() >= max) {
            overflow = true;
            held = new ArrayList<>();
        } else {
            held.add(m);
        }
    }

    /** Makes the sync under way be followed by a fresh one (something was lost meanwhile). */
    void overflow() {
        overflow = true;
    }

    /** What was held, and empties the buffer; null when it overflowed. */
    List<DeltaMessage> take() {
        List<DeltaMessage> out = overflow ? null : held;
        reset();
        return out;
    }

    /** Frees what is held; the session is closed. */
    void clear() {
        held = List.of();
    }
}
