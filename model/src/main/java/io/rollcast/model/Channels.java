package io.rollcast.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Names of the delta channels and their recovery streams (see {@code docs/deltas.md}): channel
 * {@code rollcast:{tenant}:{spec}:{yyyyMMddHH}} and stream {@code rollcast:stream:{tenant}:{spec}:{yyyyMMddHH}},
 * the hour being the window start's, in UTC. Tenant and spec ids contain no {@code :} ({@link Names}),
 * so the names are unambiguous. The job publishes with these names, the fan-out subscribes with them.
 */
public final class Channels {
    public static final String CHANNEL_PREFIX = "rollcast:";
    public static final String STREAM_PREFIX = "rollcast:stream:";
    /** The field of a recovery stream entry that holds the message (without {@code stream_id}). */
    public static final String STREAM_FIELD = "m";

    public static final long HOUR_MS = 3_600_000L;

    private Channels() {}

    /** The hour number (epoch hours) containing {@code epochMs}. */
    public static long hourOf(long epochMs) {
        return Math.floorDiv(epochMs, HOUR_MS);
    }

    /** {@code yyyyMMddHH} (UTC) of an hour number. */
    public static String hourName(long hour) {
        long days = Math.floorDiv(hour, 24);
        java.time.LocalDate d = java.time.LocalDate.ofEpochDay(days);
        StringBuilder sb = new StringBuilder(10);
        pad(sb, d.getYear(), 4);
        pad(sb, d.getMonthValue(), 2);
        pad(sb, d.getDayOfMonth(), 2);
        pad(sb, (int) Math.floorMod(hour, 24), 2);
        return sb.toString();
    }

    private static void pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) sb.append('0');
        sb.append(s);
    }

    /** The hour number of a {@code yyyyMMddHH} name; throws {@link IllegalArgumentException}. */
    public static long parseHour(String name) {
        if (name == null || name.length() != 10) throw new IllegalArgumentException("not an hour: " + name);
        for (int i = 0; i < 10; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9')
                throw new IllegalArgumentException("not an hour: " + name);
        }
        try {
            java.time.LocalDate d = java.time.LocalDate.of(
                    Integer.parseInt(name.substring(0, 4)),
                    Integer.parseInt(name.substring(4, 6)),
                    Integer.parseInt(name.substring(6, 8)));
            int h = Integer.parseInt(name.substring(8, 10));
            if (h > 23) throw new IllegalArgumentException("not an hour: " + name);
            return d.toEpochDay() * 24 + h;
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("not an hour: " + name);
        }
    }

    /** The channel of an hour: {@code rollcast:{tenant}:{spec}:{yyyyMMddHH}}. */
    public static String channel(String tenantId, String spec, long hour) {
        return CHANNEL_PREFIX + tenantId + ':' + spec + ':' + hourName(hour);
    }

    /** The channel of the window starting at {@code windowStart}. */
    public static String channelOfWindow(String tenantId, String spec, long windowStart) {
        return channel(tenantId, spec, hourOf(windowStart));
    }

    /** The recovery stream of a channel: {@code rollcast:stream:{tenant}:{spec}:{hour}}. */
    public static String stream(String channel) {
        if (!channel.startsWith(CHANNEL_PREFIX)) throw new IllegalArgumentException("not a delta channel: " + channel);
        return STREAM_PREFIX + channel.substring(CHANNEL_PREFIX.length());
    }

    /** Hour numbers from the hour of {@code fromMs} to the hour of {@code lastMs}, inclusive. */
    public static List<Long> hours(long fromMs, long lastMs) {
        List<Long> out = new ArrayList<>();
        for (long h = hourOf(fromMs); h <= hourOf(lastMs); h++) out.add(h);
        return out;
    }

    /**
     * Channel names of recent windows, each hour's name computed once: a publisher names a channel
     * per message. Keeps at most 256 hours. Not thread-safe.
     */
    public static final class Namer {
        private final HashMap<Long, String> hours = new HashMap<>();

        public String channelOfWindow(String tenantId, String spec, long windowStart) {
            long h = hourOf(windowStart);
            String name = hours.get(h);
            if (name == null) {
                if (hours.size() >= 256) hours.clear();
                name = hourName(h);
                hours.put(h, name);
            }
            return CHANNEL_PREFIX + tenantId + ':' + spec + ':' + name;
        }
    }
}
