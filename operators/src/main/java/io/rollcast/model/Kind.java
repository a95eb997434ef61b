package io.rollcast.model;

/** Why a window row was emitted. */
public enum Kind {
    /** The window is still open; the value will change. */
    EARLY,
    /** The watermark passed the window end. */
    FINAL,
    /** An event within the allowed lateness changed a window that was already final. */
    LATE;

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
