package io.rollcast.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options of one service (the job, the fan-out) and the one loader of their values.
 *
 * <p>Sources, later ones winning: defaults, a YAML file (nested or dotted keys; a list is a
 * comma-separated value), environment variables {@code <envPrefix><KEY>} (key upper-cased, {@code .}
 * and {@code -} as {@code _}; only when the set has an env prefix), then {@code --set key=value}.
 * An unknown key (in any source, including an env variable with the prefix) and a bad value stop
 * start-up with a {@link ConfigException} naming the key.
 */
public final class OptionSet implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String service;
    private final String envPrefix;
    private final Set<String> ignoredEnv;
    private final Map<String, Option<?>> options = new LinkedHashMap<>();

    /**
     * @param service the service's name in messages ({@code job}, {@code fan-out})
     * @param envPrefix e.g. {@code ROLLCAST_FANOUT_}; null when the service reads no environment
     * @param ignoredEnv env variables with the prefix that are read elsewhere (e.g. by the logging config)
     */
    public OptionSet(String service, String envPrefix, Set<String> ignoredEnv, List<Option<?>> options) {
        this.service = service;
        this.envPrefix = envPrefix;
        this.ignoredEnv = Set.copyOf(ignoredEnv);
        for (Option<?> o : options) {
            if (this.options.put(o.key(), o) != null)
                throw new IllegalArgumentException("option " + o.key() + " declared twice");
        }
    }

    /** Every option, in documentation order. */
    public List<Option<?>> options() {
        return List.copyOf(options.values());
    }

    public Set<String> keys() {
        return options.keySet();
    }

    public boolean contains(String key) {
        return options.containsKey(key);
    }

    /** {@code <envPrefix>} + the key upper-cased with {@code .} and {@code -} as {@code _}. */
    public String envName(String key) {
        if (envPrefix == null) throw new IllegalStateException("the " + service + " reads no environment variables");
        return envPrefix + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The defaults with {@code values} (key to text) applied. */
    public Config of(Map<String, String> values) {
        Map<String, String> raw = new LinkedHashMap<>();
        values.forEach((k, v) -> put(raw, k, v, "override"));
        return new Config(this, raw);
    }

    /** Loads {@code yaml} (may be null), then {@code env} (ignored without an env prefix), then {@code sets}. */
    public Config load(Path yaml, Map<String, String> env, Map<String, String> sets) {
        Map<String, String> raw = new LinkedHashMap<>();
        if (yaml != null) readYaml(yaml, raw);
        if (envPrefix != null) {
            Map<String, String> byEnv = new LinkedHashMap<>();
            for (String key : options.keySet()) byEnv.put(envName(key), key);
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(env).entrySet()) {
                if (!e.getKey().startsWith(envPrefix) || ignoredEnv.contains(e.getKey())) continue;
                String key = byEnv.get(e.getKey());
                if (key == null)
                    throw new ConfigException(
                            "unknown config environment variable '" + e.getKey() + "' (" + service + ")");
                raw.put(key, e.getValue());
            }
        }
        sets.forEach((k, v) -> put(raw, k, v, "--set"));
        return new Config(this, raw);
    }

    private void put(Map<String, String> raw, String key, String value, String source) {
        if (!options.containsKey(key)) {
            throw new ConfigException("unknown config key '" + key + "' (" + source + "; see the " + service
                    + " config table; known keys: " + String.join(", ", options.keySet()) + ")");
        }
        raw.put(key, value);
    }

    /**
     * Reads a YAML file as flat keys. Scalars are taken as written, so {@code mode: off} is the text
     * {@code off}, not YAML 1.1's boolean false (the "Norway problem"); a list is a comma-separated value.
     */
    private void readYaml(Path yaml, Map<String, String> raw) {
        String source = "config file " + yaml;
        try (JsonParser p = new YAMLFactory().createParser(Files.readString(yaml))) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.VALUE_NULL) return;
            if (t != JsonToken.START_OBJECT) throw new ConfigException(source + " must be a YAML mapping");
            readObject(p, "", raw, source);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + source + ": " + e.getMessage());
        }
    }

    private void readObject(JsonParser p, String prefix, Map<String, String> out, String source) throws IOException {
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String key = prefix.isEmpty() ? p.currentName() : prefix + "." + p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT) {
                if (options.containsKey(key))
                    throw new ConfigException("config key '" + key + "' must be a value, not a mapping");
                readObject(p, key, out, source);
            } else if (v == JsonToken.START_ARRAY) {
                List<String> parts = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    if (!e.isScalarValue())
                        throw new ConfigException("config key '" + key + "' must be a list of values");
                    parts.add(p.getText());
                }
                put(out, key, String.join(",", parts), source);
            } else {
                put(out, key, v == JsonToken.VALUE_NULL ? "" : p.getText(), source);
            }
        }
    }

    /** The Markdown table of every option: key, (env), type, default, meaning. */
    public String markdownTable() {
        boolean env = envPrefix != null;
        StringBuilder sb = new StringBuilder(
                env
                        ? "| key | env | type | default | meaning |\n|---|---|---|---|---|\n"
                        : "| key | type | default | meaning |\n|---|---|---|---|\n");
        for (Option<?> o : options.values()) {
            sb.append("| `").append(o.key()).append("` | ");
            if (env) sb.append('`').append(envName(o.key())).append("` | ");
            sb.append(o.type())
                    .append(" | `")
                    .append(o.defaultValue().isEmpty() ? "\"\"" : o.defaultValue())
                    .append("` | ")
                    .append(o.doc())
                    .append(" |\n");
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    <T> Option<T> option(String key) {
        return (Option<T>) options.get(key);
    }
}
