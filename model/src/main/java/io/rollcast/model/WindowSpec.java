package io.rollcast.model;

import java.io.Serializable;
import java.util.Locale;

/**
 * A tumbling or sliding event-time window spec, aligned to the epoch.
 *
 * <p>Written in config as {@code tumbling 1m} or {@code sliding 5m/1m} (size/slide). A tumbling
 * window is a sliding one whose slide equals its size. The size must be a multiple of the slide, so
 * every window end is a multiple of the slide.
 */
public record WindowSpec(long sizeMs, long slideMs) implements Serializable {

    public WindowSpec {
        if (sizeMs <= 0 || slideMs <= 0) {
            throw new IllegalArgumentException("window size and slide must be positive");
        }
        if (sizeMs % slideMs != 0) {
            throw new IllegalArgumentException("window size " + Durations.format(java.time.Duration.ofMillis(sizeMs))
                    + " is not a multiple of its slide "
                    + Durations.format(java.time.Duration.ofMillis(slideMs)));
        }
    }

    /** Parses {@code tumbling 1m} or {@code sliding 5m/1m}. */
    public static WindowSpec parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a window spec (expected 'tumbling <size>' or 'sliding <size>/<slide>')");
        }
        String type = parts[0].toLowerCase(Locale.ROOT);
        if (type.equals("tumbling")) {
            long size = Durations.parse(parts[1]).toMillis();
            return new WindowSpec(size, size);
        }
        if (type.equals("sliding")) {
            String[] ss = parts[1].split("/");
            if (ss.length != 2) {
                throw new IllegalArgumentException("'" + text + "' needs size/slide, e.g. 'sliding 5m/1m'");
            }
            return new WindowSpec(
                    Durations.parse(ss[0]).toMillis(), Durations.parse(ss[1]).toMillis());
        }
        throw new IllegalArgumentException("'" + text + "' must start with 'tumbling' or 'sliding'");
    }

    public boolean isTumbling() {
        return sizeMs == slideMs;
    }

    /**
     * The stable id used in rows, tables and Redis channels: {@code tumbling-1m}, {@code sliding-5m-1m}.
     */
    public String id() {
        String size = Durations.format(java.time.Duration.ofMillis(sizeMs));
        return isTumbling()
                ? "tumbling-" + size
                : "sliding-" + size + "-" + Durations.format(java.time.Duration.ofMillis(slideMs));
    }

    /** End of the earliest window that contains {@code t}. */
    public long firstEndContaining(long t) {
        return Math.floorDiv(t, slideMs) * slideMs + slideMs;
    }

    /** End of the latest window that contains {@code t}. */
    public long lastEndContaining(long t) {
        return Math.floorDiv(t, slideMs) * slideMs + sizeMs;
    }

    @Override
    public String toString() {
        return id();
    }
}
