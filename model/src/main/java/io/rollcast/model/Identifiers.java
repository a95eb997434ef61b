package io.rollcast.model;

import java.util.regex.Pattern;

/** Checks SQL identifiers taken from configuration before they are spliced into DDL or DML. */
public final class Identifiers {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Identifiers() {}

    /** Returns {@code name} if it matches {@code [A-Za-z_][A-Za-z0-9_]*} (at most 63 characters), else throws. */
    public static String require(String what, String name) {
        if (name == null || name.length() > 63 || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)");
        }
        return name;
    }
}
