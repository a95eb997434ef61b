package io.rollcast.model;

/**
 * The one check of tenant ids, event types and spec ids: {@value #RULE}. Every module that takes a
 * name from outside (the event parser, the fan-out's tokens and requests, the store queries) checks it
 * here, so a name that passes one door passes all of them, and none can carry {@code :} (channel
 * separator), {@code |} (key separator) or a quote (SQL literal) into the places built from it.
 */
public final class Names {
    /** The rule, as written in error messages and docs. */
    public static final String RULE = "[A-Za-z0-9._-]{1,64}";

    private Names() {}

    /** Whether {@code s} matches {@value #RULE}; a loop, not a regex (the parser runs it per event). */
    public static boolean isName(CharSequence s) {
        if (s == null) return false;
        int n = s.length();
        if (n == 0 || n > 64) return false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Returns {@code value} if it is a name, else throws {@link IllegalArgumentException} naming {@code what}. */
    public static String require(String what, String value) {
        if (!isName(value)) throw new IllegalArgumentException(what + " must match " + RULE);
        return value;
    }
}
