package io.rollcast.model;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints the short durations used in config and spec ids: {@code 100ms, 5s, 1m, 2h, 1d}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** Parses {@code 100ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d}; throws on anything else. */
    public static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (expected a number and a unit: ms, s, m, h or d, e.g. 5s)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The shortest exact form: 60000 ms prints as {@code 1m}, 1500 ms as {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
        if (ms != 0 && ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms != 0 && ms % 60_000L == 0) return ms / 60_000L + "m";
        if (ms != 0 && ms % 1_000L == 0) return ms / 1_000L + "s";
        return ms + "ms";
    }
}
