package io.rollcast.fanout.session;

import io.rollcast.fanout.redis.DeltaMessage;
import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.StreamQuery;
import io.rollcast.model.Channels;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What a session's client has: per hour channel the stream id of the last entry it was sent (or that
 * its snapshot covers), and per window the highest version it was sent, grouped by the window's hour
 * so that a dropped channel takes its windows with it. A delta goes out only when it is after the
 * first and above the second. On the session's event loop.
 */
final class Progress {
    private final Map<String, StreamId> positions = new HashMap<>();
    private final Map<Long, Map<String, Long>> versionsByHour = new HashMap<>();

    /**
     * Starts over from a snapshot's positions and versions (window key {@code type|start} to version),
     * for the channels held now: one added while the snapshot was read (rollover) starts at 0, so none
     * of its deltas is lost; one dropped meanwhile is left out.
     */
    void snapshot(
            Map<String, StreamId> snapshotPositions, Map<String, Long> snapshotVersions, Collection<String> held) {
        positions.clear();
        for (String ch : held) positions.put(ch, snapshotPositions.getOrDefault(ch, StreamId.ZERO));
        versionsByHour.clear();
        for (Map.Entry<String, Long> e : snapshotVersions.entrySet()) {
            String key = e.getKey();
            long start = Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
            versionsByHour
                    .computeIfAbsent(Channels.hourOf(start), h -> new HashMap<>())
                    .put(key, e.getValue());
        }
    }

    /** Resumes {@code channels} from {@code from} (0 where it has none); the replayed entries advance them. */
    void resume(Collection<String> channels, Map<String, StreamId> from) {
        for (String ch : channels) positions.put(ch, from.getOrDefault(ch, StreamId.ZERO));
    }

    /** A channel added after the sync (the next hour's): every entry of it is new. */
    void add(String channel) {
        positions.put(channel, StreamId.ZERO);
    }

    /** A channel dropped (its hour left the range): its position and its windows' versions go. */
    void drop(String channel, long hour) {
        positions.remove(channel);
        versionsByHour.keySet().removeIf(h -> h <= hour); // hours are dropped oldest first
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
        Map<String, Long> versions =
                versionsByHour.computeIfAbsent(Channels.hourOf(m.windowStart()), h -> new HashMap<>());
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

    /** Windows whose version is held (the per-session state that grows with the data in range). */
    int windows() {
        int n = 0;
        for (Map<String, Long> v : versionsByHour.values()) n += v.size();
        return n;
    }
}
