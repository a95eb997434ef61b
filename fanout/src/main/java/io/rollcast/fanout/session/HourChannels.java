package io.rollcast.fanout.session;

import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.StreamQuery;
import io.rollcast.model.Channels;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hour channels of one session's query, in hour order: those of the query's range when the stream
 * starts and, for an open-ended query, the next hour's as the clock nears it (rollover). On the
 * session's event loop.
 */
final class HourChannels {
    private final StreamQuery query;
    private final TreeMap<Long, String> byHour = new TreeMap<>(); // hour -> channel name
    private final Map<Long, String> hourNames = new HashMap<>();

    HourChannels(StreamQuery query) {
        this.query = query;
    }

    /** Adds the channels of the query's hours: to its end, or to the hour after {@code now}'s for an open-ended query. */
    void open(long now) {
        long last = query.to().map(t -> Math.max(query.from(), t - 1)).orElse(now + Channels.HOUR_MS);
        for (long h : Channels.hours(query.from(), last))
            byHour.put(h, Channels.channel(query.tenant(), query.spec(), h));
    }

    /** The channel names, in hour order. */
    Collection<String> names() {
        return byHour.values();
    }

    /**
     * For an open-ended query, adds the channel of the hour after {@code now}'s and returns its name;
     * null when the query has an end or the channel is there already.
     */
    String rollover(long now) {
        if (query.to().isPresent()) return null;
        long next = Channels.hourOf(now) + 1;
        if (byHour.containsKey(next)) return null;
        String ch = Channels.channel(query.tenant(), query.spec(), next);
        byHour.put(next, ch);
        return ch;
    }

    /**
     * The positions to resume from after {@code c} (of the query's spec) per channel name (channels the
     * cursor has no position for start at 0), or null when there is an hour older than the cursor's last
     * that it has no position for: that range cannot be replayed.
     */
    Map<String, StreamId> resumePositions(Cursor c) {
        Map<String, StreamId> from = new HashMap<>();
        long maxHour = c.positions().isEmpty() ? Long.MIN_VALUE : c.positions().lastKey();
        for (Map.Entry<Long, String> e : byHour.entrySet()) {
            StreamId p = c.positions().get(e.getKey());
            if (p != null) {
                from.put(e.getValue(), p);
            } else if (e.getKey() <= maxHour) {
                return null;
            }
        }
        return from;
    }

    /** The event id: the {@link Cursor} text of each hour's position in {@code positions} (by channel name; none = 0). */
    String cursor(long base, Map<String, StreamId> positions) {
        return Cursor.format(
                query.spec(),
                base,
                byHour,
                ch -> positions.getOrDefault(ch, StreamId.ZERO),
                h -> hourNames.computeIfAbsent(h, Channels::hourName)); // runs per client per delta: hour names cached
    }
}
