package io.rollcast.model;

/**
 * The string keys built from names. Names never contain {@code |} ({@link Names}), so each key
 * splits back unambiguously.
 */
public final class Keys {
    private Keys() {}

    /** The Flink key of the rollup and delta operators: {@code tenant|type}. */
    public static String rollupKey(String tenantId, String eventType) {
        return tenantId + '|' + eventType;
    }

    /** The tenant of a {@link #rollupKey}. */
    public static String tenantOf(String rollupKey) {
        return rollupKey.substring(0, bar(rollupKey));
    }

    /** The event type of a {@link #rollupKey}. */
    public static String typeOf(String rollupKey) {
        return rollupKey.substring(bar(rollupKey) + 1);
    }

    /** A window's identity: {@code tenant|type|spec|windowStart}. */
    public static String windowKey(String tenantId, String eventType, String spec, long windowStart) {
        return tenantId + '|' + eventType + '|' + spec + '|' + windowStart;
    }

    /** A window within one channel (whose tenant and spec are fixed): {@code type|windowStart}. */
    public static String channelWindowKey(String eventType, long windowStart) {
        return eventType + '|' + windowStart;
    }

    private static int bar(String rollupKey) {
        int bar = rollupKey.indexOf('|');
        if (bar < 0) throw new IllegalArgumentException("not a rollup key: " + rollupKey);
        return bar;
    }
}
