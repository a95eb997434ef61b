package io.rollcast.fanout.redis;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Names of the delta channels and their recovery streams, as the delta sink writes them (see
 * {@code docs/deltas.md}): channel {@code rollcast:{tenant}:{spec}:{yyyyMMddHH}} and stream
 * {@code rollcast:stream:{tenant}:{spec}:{yyyyMMddHH}}, the hour being the window start's, in UTC.
 */
public final class Channels {
    public static final String CHANNEL_PREFIX = "rollcast:";
    public static final String STREAM_PREFIX = "rollcast:stream:";
    public static final long HOUR_MS = 3_600_000L;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH");

    private Channels() {}

    /** The hour number (epoch hours) containing {@code epochMs}. */
    public static long hourOf(long epochMs) {
        return Math.floorDiv(epochMs, HOUR_MS);
    }

    /** {@code yyyyMMddHH} of an hour number. */
    public static String hourName(long hour) {
        return LocalDateTime.ofEpochSecond(hour * 3600, 0, ZoneOffset.UTC).format(HOUR);
    }

    /** The hour number of a {@code yyyyMMddHH} name; throws {@link IllegalArgumentException}. */
    public static long parseHour(String name) {
        if (name.length() != 10) throw new IllegalArgumentException("not an hour: " + name);
        try {
            return LocalDateTime.parse(name, HOUR).toEpochSecond(ZoneOffset.UTC) / 3600;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not an hour: " + name);
        }
    }

    public static String channel(String tenant, String spec, long hour) {
        return CHANNEL_PREFIX + tenant + ':' + spec + ':' + hourName(hour);
    }

    public static String stream(String channel) {
        return STREAM_PREFIX + channel.substring(CHANNEL_PREFIX.length());
    }

    /** Hour numbers from the hour of {@code fromMs} to the hour of {@code lastMs}, inclusive. */
    public static List<Long> hours(long fromMs, long lastMs) {
        List<Long> out = new ArrayList<>();
        for (long h = hourOf(fromMs); h <= hourOf(lastMs); h++) out.add(h);
        return out;
    }
}
