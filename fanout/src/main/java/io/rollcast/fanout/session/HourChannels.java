package io.rollcast.fanout.session;

import io.rollcast.fanout.redis.StreamId;
import io.rollcast.fanout.snapshot.StreamQuery;
import io.rollcast.model.Channels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The hour channels of one session's query, in hour order, and the range they cover. On the
 * session's event loop.
 *
 * <p>A query with an end keeps the channels of its hours. An open-ended (live) query is a sliding
 * range of the span it started with (now minus {@code from}, at most {@code snapshot.max-range}): as
 * the clock moves, the next hour's channel is added before that hour starts (rollover), and the
 * channels of hours that fell entirely before the range start are dropped. So a session holds at most
 * span / 1 h + 2 channels whatever its age, and its cursor names only those.
 */
final class HourChannels {
    private final StreamQuery query;
    private final TreeMap<Long, String> byHour = new TreeMap<>(); // hour -> channel name
    private final Map<Long, String> hourNames = new HashMap<>();
    private long spanMs;

    /** What a rollover changed: channels added (the next hour's) and dropped (hours left behind). */
    record Change(List<String> added, Map<String, Long> dropped) {
        static final Change NONE = new Change(List.of(), Map.of());

        boolean isEmpty() {
            return added.isEmpty() && dropped.isEmpty();
        }
    }

    HourChannels(StreamQuery query) {
        this.query = query;
    }

    /** Adds the channels of the query's hours: to its end, or to the hour after {@code now}'s for an open-ended query. */
    void open(long now) {
        spanMs = Math.max(0, now - query.from());
        long last = query.to().map(t -> Math.max(query.from(), t - 1)).orElse(now + Channels.HOUR_MS);
        for (long h : Channels.hours(query.from(), last))
            byHour.put(h, Channels.channel(query.tenant(), query.spec(), h));
    }

    /** The range start at {@code now}: the query's {@code from}, or now minus the span for an open-ended query. */
    long rangeFrom(long now) {
        return query.to().isPresent() ? query.from() : Math.max(query.from(), now - spanMs);
    }

    /** The query with its range start at {@code now} (what a resync snapshot reads). */
    StreamQuery current(long now) {
        long from = rangeFrom(now);
        return from == query.from()
                ? query
                : new StreamQuery(query.tenant(), query.spec(), query.eventType(), from, Optional.empty());
    }

    /** The channel names, in hour order. */
    Collection<String> names() {
        return byHour.values();
    }

    /** How many channels are held. */
    int size() {
        return byHour.size();
    }

    boolean contains(String channel) {
        return byHour.containsValue(channel);
    }

    /**
     * For an open-ended query: adds the channel of the hour after {@code now}'s, and drops the channels
     * of hours that ended at or before the range start. Nothing for a query with an end.
     */
    Change rollover(long now) {
        if (query.to().isPresent()) return Change.NONE;
        List<String> added = new ArrayList<>(1);
        long next = Channels.hourOf(now) + 1;
        if (!byHour.containsKey(next)) {
            String ch = Channels.channel(query.tenant(), query.spec(), next);
            byHour.put(next, ch);
            added.add(ch);
        }
        Map<String, Long> dropped = new HashMap<>();
        long firstKept = Channels.hourOf(rangeFrom(now));
        while (!byHour.isEmpty() && byHour.firstKey() < firstKept) {
            Map.Entry<Long, String> e = byHour.pollFirstEntry();
            hourNames.remove(e.getKey());
            dropped.put(e.getValue(), e.getKey());
        }
        return added.isEmpty() && dropped.isEmpty() ? Change.NONE : new Change(added, dropped);
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
