package io.rollcast.config;

import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parsed values of one {@link OptionSet}: every option is parsed (and so validated) when this is
 * made, so a bad value stops start-up, not the first use. Immutable.
 */
public final class Config implements Serializable {
    private static final long serialVersionUID = 1L;

    private final OptionSet set;
    private final Map<String, String> raw;
    private final HashMap<String, Object> values = new HashMap<>();

    Config(OptionSet set, Map<String, String> raw) {
        this.set = set;
        this.raw = new LinkedHashMap<>(raw);
        for (Option<?> o : set.options()) values.put(o.key(), o.parse(text(o)));
    }

    private String text(Option<?> o) {
        return raw.getOrDefault(o.key(), o.defaultValue());
    }

    /** The value of {@code option} (which must belong to this config's set). */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        if (!values.containsKey(option.key()))
            throw new IllegalArgumentException("no option " + option.key() + " in this config");
        return (T) values.get(option.key());
    }

    /** Whether a source set {@code option} (rather than its default applying). */
    public boolean isSet(Option<?> option) {
        return raw.containsKey(option.key());
    }

    /** A copy with one more value; for tests and derived configs (e.g. the backfill variant). */
    public Config with(String key, String value) {
        if (!set.contains(key)) throw new ConfigException("unknown config key '" + key + "'");
        Map<String, String> m = new LinkedHashMap<>(raw);
        m.put(key, value);
        return new Config(set, m);
    }

    public OptionSet optionSet() {
        return set;
    }

    /**
     * Effective values as text, for logs and the Flink web UI: secrets masked, and the password of a
     * URI with credentials ({@code redis://user:pass@host}) masked too.
     */
    public Map<String, String> shown() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Option<?> o : set.options()) {
            String v = text(o);
            if (o.isSecret() && !v.isEmpty()) v = "******";
            else if (v.matches("[a-z][a-z0-9+.-]*://[^/@]*@.*")) v = v.replaceFirst("//[^@/]*@", "//******@");
            m.put(o.key(), v);
        }
        return m;
    }

    @Override
    public String toString() {
        return shown().toString();
    }
}
