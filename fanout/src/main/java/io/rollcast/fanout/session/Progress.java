package io.rollcast.fanout.session;

import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.StreamQuery;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What a session's client has: per hour channel the stream id of the last entry it was sent (or that
 * its snapshot covers), and per window the highest version it was sent. A delta goes out only when it
 * is after the first and above the second. On the session's event loop.
 */
final class Progress {
    private final Map<String, StreamId> positions = new HashMap<>();
    private final Map<String, Long> versions = new HashMap<>();

    /** Starts over from a snapshot's positions and versions. */
    void snapshot(Map<String, StreamId> snapshotPositions, Map<String, Long> snapshotVersions) {
        positions.clear();
        positions.putAll(snapshotPositions);
        versions.clear();
        versions.putAll(snapshotVersions);
    }

    /** Resumes {@code channels} from {@code from} (0 where it has none); the replayed entries advance them. */
    void resume(Collection<String> channels, Map<String, StreamId> from) {
        for (String ch : channels) positions.put(ch, from.getOrDefault(ch, StreamId.ZERO));
    }

    /** A channel added after the sync (the next hour's): every entry of it is new. */
    void add(String channel) {
        positions.put(channel, StreamId.ZERO);
    }

    /**
     * Whether {@code m} is new to the client of {@code query}, recording it if so. A delta after the
     * channel's position advances it even when its window is not the query's or not newer.
     */
    boolean accept(DeltaMessage m, StreamQuery query) {
        StreamId pos = positions.get(m.channel());
        if (pos == null) return false; // not (or no longer) one of ours
        if (!m.streamId().isAfter(pos)) return false; // covered by the snapshot or already sent
        positions.put(m.channel(), m.streamId());
        if (!query.covers(m.eventType(), m.windowStart())) return false;
        String key = m.windowKey();
        Long held = versions.get(key);
        if (held != null && m.version() <= held) return false;
        versions.put(key, m.version());
        return true;
    }

    /** The stream positions by channel name. */
    Map<String, StreamId> positions() {
        return positions;
    }
}
