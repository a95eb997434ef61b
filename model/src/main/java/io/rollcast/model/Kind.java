package io.rollcast.model;

/** Why a window row was emitted. */
public enum Kind {
    /** The window is still open; the value will change. */
    EARLY,
    /** The watermark passed the window end. */
    FINAL,
    /** An event within the allowed lateness changed a window that was already final. */
    LATE;

    /** The contract's code: {@code early}, {@code final} or {@code late}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The kind of a {@link #code()}; throws {@link IllegalArgumentException} on anything else. */
    public static Kind of(String code) {
        return switch (code) {
            case "early" -> EARLY;
            case "final" -> FINAL;
            case "late" -> LATE;
            default -> throw new IllegalArgumentException("not a row kind: " + code);
        };
    }
}
