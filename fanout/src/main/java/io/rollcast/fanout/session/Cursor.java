package io.rollcast.fanout.session;

import io.rollcast.fanout.redis.StreamId;
import io.rollcast.model.Channels;
import io.rollcast.model.Names;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A client's position in each of its hour channels, sent as the event id of every frame and taken
 * back as {@code Last-Event-ID} / {@code last_event_id} to resume.
 *
 * <p>Text form {@code <spec>~<base>~<yyyyMMddHH>:<stream id>,...}, e.g.
 * {@code tumbling-1m~1767225600000~2026010100:1767225599000-0,2026010101:0}: per hour channel the id
 * of the last stream entry the client was sent (or that its snapshot covers; {@code 0} = none), and
 * the base time (Redis time of the snapshot) that a {@code 0} position is relative to. The spec is
 * there because stream positions mean nothing in another spec's streams; the tenant comes from the
 * token.
 */
public record Cursor(String spec, long base, TreeMap<Long, StreamId> positions) {
    private static final int MAX_TEXT = 4096;

    /** Parses the text form; throws {@link IllegalArgumentException} on anything malformed. */
    public static Cursor parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT)
            throw new IllegalArgumentException("bad event id");
        int first = text.indexOf('~');
        int tilde = first < 0 ? -1 : text.indexOf('~', first + 1);
        if (first <= 0 || tilde <= first + 1) throw new IllegalArgumentException("bad event id");
        String spec = text.substring(0, first);
        if (!Names.isName(spec)) throw new IllegalArgumentException("bad event id");
        try {
            long base = Long.parseLong(text.substring(first + 1, tilde));
            TreeMap<Long, StreamId> positions = new TreeMap<>();
            if (tilde < text.length() - 1) {
                for (String part : text.substring(tilde + 1).split(",")) {
                    int colon = part.indexOf(':');
                    if (colon <= 0) throw new IllegalArgumentException("bad event id");
                    positions.put(
                            Channels.parseHour(part.substring(0, colon)), StreamId.parse(part.substring(colon + 1)));
                }
            }
            return new Cursor(spec, base, positions);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad event id");
        }
    }

    /** The text form of a spec, {@code base} and per-hour positions. */
    public static String format(String spec, long base, Map<Long, StreamId> positions) {
        return format(spec, base, positions, id -> id, Channels::hourName);
    }

    /**
     * The text form of {@code spec}, {@code base} and, for each hour of {@code hours} in its order, the
     * position {@code position} finds for the hour's value; {@code hourName} names an hour (a session
     * passes a cache: this runs per client per delta).
     */
    static <V> String format(
            String spec,
            long base,
            Map<Long, V> hours,
            Function<V, StreamId> position,
            Function<Long, String> hourName) {
        StringBuilder sb = new StringBuilder(40 + hours.size() * 36)
                .append(spec)
                .append('~')
                .append(base)
                .append('~');
        boolean first = true;
        for (Map.Entry<Long, V> e : hours.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            sb.append(hourName.apply(e.getKey())).append(':');
            StreamId id = position.apply(e.getValue());
            if (id.equals(StreamId.ZERO)) sb.append('0');
            else sb.append(id.ms()).append('-').append(Long.toUnsignedString(id.seq()));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(spec, base, positions);
    }
}
