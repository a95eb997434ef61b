package io.rollcast.model;

import java.util.regex.Pattern;

/** Checks SQL identifiers taken from configuration before they are spliced into DDL or DML. */
public final class Identifiers {
    /** The rule, as written in error messages and docs. */
    public static final String RULE = "[A-Za-z_][A-Za-z0-9_]*, at most 63 characters";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private Identifiers() {}

    /** Whether {@code name} is an identifier ({@value #RULE}). */
    public static boolean isIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    /** Returns {@code name} if it is an identifier, else throws naming {@code what}. */
    public static String require(String what, String name) {
        if (!isIdentifier(name))
            throw new IllegalArgumentException(what + " '" + name + "' is not an identifier (" + RULE + ")");
        return name;
    }
}
