package io.rollcast.config;

import io.rollcast.model.Durations;
import io.rollcast.model.Identifiers;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * One typed option: key, type (for the docs), default (as written in a config file), one-line doc,
 * and the parser that validates a value. Options are declared as constants of a service's config
 * class and collected in its {@link OptionSet}.
 *
 * @param <T> the parsed type
 */
public final class Option<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Parses and validates one value; throws {@link IllegalArgumentException} with a short reason. */
    @FunctionalInterface
    public interface Parser<T> extends Serializable {
        T parse(String text);
    }

    private final String key;
    private final String type;
    private final String defaultValue;
    private final String doc;
    private final Parser<T> parser;
    private final boolean secret;

    private Option(String key, String type, String defaultValue, String doc, Parser<T> parser, boolean secret) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.parser = parser;
        this.secret = secret;
    }

    public static <T> Option<T> of(String key, String type, String defaultValue, String doc, Parser<T> parser) {
        return new Option<>(key, type, defaultValue, doc, parser, false);
    }

    /** Any text, trimmed. */
    public static Option<String> string(String key, String defaultValue, String doc) {
        return of(key, "string", defaultValue, doc, String::trim);
    }

    /** Text that must not be blank. */
    public static Option<String> nonEmpty(String key, String defaultValue, String doc) {
        return of(key, "string", defaultValue, doc, s -> {
            if (s.isBlank()) throw new IllegalArgumentException("must not be empty");
            return s.trim();
        });
    }

    /** An integer of at least {@code min}. */
    public static Option<Integer> integer(String key, String defaultValue, int min, String doc) {
        return of(key, "integer", defaultValue, doc, integerParser(min));
    }

    /** The parser of {@link #integer}: a whole number of at least {@code min}. */
    public static Parser<Integer> integerParser(int min) {
        return s -> {
            int v;
            try {
                v = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not a number");
            }
            if (v < min)
                throw new IllegalArgumentException(
                        min == 1
                                ? "must be a positive integer"
                                : min == 0 ? "must not be negative" : "must be at least " + min);
            return v;
        };
    }

    /** {@code 100ms}, {@code 5s}, {@code 1m}, {@code 2h}, {@code 1d} (zero allowed). */
    public static Option<Duration> duration(String key, String defaultValue, String doc) {
        return of(key, "duration", defaultValue, doc, Durations::parse);
    }

    /** A duration above zero. */
    public static Option<Duration> positiveDuration(String key, String defaultValue, String doc) {
        return of(key, "duration", defaultValue, doc, s -> {
            Duration d = Durations.parse(s);
            if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("must be a positive duration");
            return d;
        });
    }

    /** {@code true} or {@code false}. */
    public static Option<Boolean> bool(String key, String defaultValue, String doc) {
        return of(key, "boolean", defaultValue, doc, s -> switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        });
    }

    /** One of {@code values}. */
    public static Option<String> oneOf(String key, String defaultValue, String doc, String... values) {
        return of(key, "one of " + String.join(", ", values), defaultValue, doc, s -> {
            if (!Arrays.asList(values).contains(s.trim()))
                throw new IllegalArgumentException("must be one of " + String.join(", ", values));
            return s.trim();
        });
    }

    /** A SQL identifier (a table or database name): spliced into SQL, so strictly checked ({@link Identifiers}). */
    public static Option<String> identifier(String key, String defaultValue, String doc) {
        return of(key, "identifier", defaultValue, doc, s -> {
            if (!Identifiers.isIdentifier(s.trim())) {
                throw new IllegalArgumentException("must be an identifier: " + Identifiers.RULE);
            }
            return s.trim();
        });
    }

    /** A URL starting with one of {@code prefixes}. */
    public static Option<String> url(String key, String defaultValue, String doc, String... prefixes) {
        return of(key, "url", defaultValue, doc, s -> {
            String v = s.trim();
            if (Arrays.stream(prefixes).noneMatch(v::startsWith))
                throw new IllegalArgumentException("must start with " + String.join(" or ", prefixes));
            return v;
        });
    }

    /** This option, with its value masked wherever config is shown (a password or key). */
    public Option<T> secret() {
        return new Option<>(key, type, defaultValue, doc, parser, true);
    }

    public String key() {
        return key;
    }

    public String type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    public boolean isSecret() {
        return secret;
    }

    /** Parses {@code text}; a failure names the key and the value. */
    public T parse(String text) {
        try {
            return parser.parse(text);
        } catch (RuntimeException e) {
            String m = e.getMessage();
            String why = e instanceof NumberFormatException
                    ? "is not a number"
                    : m == null ? "is invalid" : m.startsWith("'") ? "is invalid: " + m : m;
            throw new ConfigException("config key '" + key + "': '" + (secret ? "******" : text) + "' " + why);
        }
    }

    @Override
    public String toString() {
        return key;
    }
}
