package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rollcast.config.ConfigException;
import io.rollcast.fanout.config.FanoutConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One source of truth for the fan-out's config in the deploy files: the compose file, the image's
 * config and the chart's default config use only FanoutConfig's keys and ROLLCAST_FANOUT_* variables
 * (taken from {@link FanoutConfig#options()}, not from its source), load with FanoutConfig itself, and
 * docs/deploy.md shows the same keys, variable names and defaults.
 */
class FanoutConfigFilesTest {
    private static final Map<String, io.rollcast.config.Option<?>> OPTIONS = FanoutConfig.options().stream()
            .collect(Collectors.toMap(io.rollcast.config.Option::key, o -> o, (a, b) -> a, LinkedHashMap::new));
    private static final Set<String> ENV_NAMES =
            OPTIONS.keySet().stream().map(FanoutConfig::envName).collect(Collectors.toCollection(TreeSet::new));
    private static final String DEV_KEY = "a-test-key-of-at-least-32-bytes-0123456789";

    /** docker/compose.yaml's fanout service, as written (it uses no anchors). */
    private static JsonNode composeFanout() {
        return Repo.yaml(Repo.read("docker/compose.yaml")).path("services").path("fanout");
    }

    private static Map<String, String> composeConfig() {
        return Repo.flatten(Repo.yaml(Repo.read("docker/conf/fanout.yaml")));
    }

    private static Map<String, String> chartConfig() {
        return Repo.flatten(
                Repo.yaml(Repo.read("helm/rollcast/values.yaml")).path("fanout").path("config"));
    }

    /** FanoutConfig.load on a file with the given keys, as the server would start with it. */
    static FanoutConfig load(Map<String, String> flat, Map<String, String> env) throws IOException {
        if (flat.isEmpty()) return FanoutConfig.load(null, env, Map.of());
        Path f = Files.createTempFile("fanout", ".yaml");
        try {
            StringBuilder yaml = new StringBuilder();
            flat.forEach((k, v) ->
                    yaml.append('"').append(k).append("\": \"").append(v).append("\"\n"));
            Files.writeString(f, yaml);
            return FanoutConfig.load(f, env, Map.of());
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void composeFanoutConfigUsesKnownKeysAndListensOnEveryInterface() throws Exception {
        Map<String, String> conf = composeConfig();
        assertThat(conf.keySet())
                .as("keys of docker/conf/fanout.yaml unknown to FanoutConfig")
                .isSubsetOf(OPTIONS.keySet());
        // the file as the image reads it, with the server's own loader (unknown keys would throw)
        FanoutConfig cfg = FanoutConfig.load(
                Repo.path("docker/conf/fanout.yaml"), Map.of(FanoutConfig.envName("auth.secret"), DEV_KEY), Map.of());
        assertThat(cfg.host())
                .as("inside a container the server must listen on every interface")
                .isEqualTo("0.0.0.0");
        assertThat(cfg.port()).isEqualTo(8080);
        assertThat(cfg.redisUri()).isEqualTo("redis://redis:6379");
        assertThat(cfg.postgresUrl()).contains("//postgres:5432/");
    }

    @Test
    void composeFanoutEnvironmentIsFanoutConfigsAndTheMountIsTheImagesConfigFile() {
        JsonNode svc = composeFanout();
        Set<String> names = new TreeSet<>();
        svc.path("environment").fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .as("variables of the compose fanout service")
                .isNotEmpty()
                .allSatisfy(n -> assertThat(n)
                        .as("FanoutConfig reads ROLLCAST_FANOUT_<KEY> only")
                        .isIn(ENV_NAMES));
        assertThat(names).contains(FanoutConfig.envName("auth.secret"));
        String entrypoint = String.join(
                " ",
                Dockerfile.parse(Repo.read("docker/fanout/Dockerfile"))
                        .runtime()
                        .args("ENTRYPOINT"));
        Matcher m = Pattern.compile("\"--config\",\\s*\"([^\"]+)\"").matcher(entrypoint);
        assertThat(m.find())
                .as("the image starts the server with --config: %s", entrypoint)
                .isTrue();
        String configPath = m.group(1);
        List<String> mounts = new java.util.ArrayList<>();
        svc.path("volumes").forEach(v -> mounts.add(v.asText()));
        assertThat(mounts)
                .as("compose mounts docker/conf/fanout.yaml where the image's --config points")
                .anySatisfy(v -> assertThat(v).startsWith("./conf/fanout.yaml:" + configPath));
    }

    @Test
    void chartDefaultFanoutConfigUsesKnownKeysAndMatchesThePort() throws Exception {
        Map<String, String> conf = chartConfig();
        assertThat(conf.keySet())
                .as("keys of fanout.config in helm/rollcast/values.yaml unknown to FanoutConfig")
                .isSubsetOf(OPTIONS.keySet());
        assertThat(conf.keySet())
                .as("passwords and the key come from the Secret, not the ConfigMap")
                .noneMatch(k -> k.contains("password") || k.startsWith("auth.secret"));
        FanoutConfig cfg = load(conf, Map.of(FanoutConfig.envName("auth.secret"), DEV_KEY));
        assertThat(cfg.host()).isEqualTo("0.0.0.0");
        int port = Repo.yaml(Repo.read("helm/rollcast/values.yaml"))
                .path("fanout")
                .path("port")
                .asInt();
        assertThat(cfg.port())
                .as("fanout.config.server.port must equal fanout.port (the container port and probes)")
                .isEqualTo(port);
    }

    @Test
    void unknownKeysAndVariablesStopTheServerSoTheseChecksMatter() {
        assertThatThrownBy(() -> load(Map.of("http.port", "8080"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> load(Map.of(), Map.of("ROLLCAST_FANOUT_JWT_HMAC_KEY", DEV_KEY)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROLLCAST_FANOUT_JWT_HMAC_KEY");
    }

    private static final Pattern ROW =
            Pattern.compile("^\\| `([a-z0-9.-]+)` \\| `([A-Z0-9_]+)` \\| `([^`]*)` \\| (.*) \\| (.*) \\|$");

    /** The rows of the fan-out settings table in docs/deploy.md: key to {env, default, compose, helm}. */
    private static Map<String, String[]> docsTable() {
        Map<String, String[]> rows = new LinkedHashMap<>();
        boolean in = false;
        for (String line : Repo.read("docs/deploy.md").lines().toList()) {
            if (line.startsWith("| key | env | default | compose")) {
                in = true;
                continue;
            }
            if (in && line.startsWith("|---")) continue;
            if (in && !line.startsWith("|")) break;
            if (in) {
                Matcher m = ROW.matcher(line);
                assertThat(m.matches())
                        .as("a row of the fan-out table in docs/deploy.md: %s", line)
                        .isTrue();
                rows.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4), m.group(5)});
            }
        }
        assertThat(rows)
                .as("docs/deploy.md has the fan-out settings table (| key | env | default | compose | Helm |)")
                .isNotEmpty();
        return rows;
    }

    /** The first backticked word of a cell, or null. */
    private static String code(String cell) {
        Matcher m = Pattern.compile("`([^`]*)`").matcher(cell);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void deployGuideShowsTheRealKeysVariablesAndDefaults() {
        Map<String, String[]> table = docsTable();
        Map<String, String> compose = composeConfig();
        Map<String, String> chart = chartConfig();
        table.forEach((key, row) -> {
            assertThat(OPTIONS)
                    .as("docs/deploy.md lists '%s', which FanoutConfig does not know", key)
                    .containsKey(key);
            io.rollcast.config.Option<?> o = OPTIONS.get(key);
            assertThat(row[0]).as("env name of %s", key).isEqualTo(FanoutConfig.envName(key));
            assertThat(row[1])
                    .as("default of %s", key)
                    .isEqualTo(o.defaultValue().isEmpty() ? "\"\"" : o.defaultValue());
            if (compose.containsKey(key))
                assertThat(code(row[2])).as("compose value of %s", key).isEqualTo(compose.get(key));
            if (chart.containsKey(key))
                assertThat(code(row[3])).as("Helm value of %s", key).isEqualTo(chart.get(key));
        });
        assertThat(table.keySet())
                .as("every key the deploy files set is in the table")
                .containsAll(compose.keySet())
                .containsAll(chart.keySet());
        // every variable the guide names is one FanoutConfig reads (or the log level the log4j2 config reads)
        Matcher m = Pattern.compile("ROLLCAST_FANOUT_[A-Z0-9_]+").matcher(Repo.read("docs/deploy.md"));
        Map<String, Integer> unknown = new HashMap<>();
        while (m.find()) {
            if (!ENV_NAMES.contains(m.group()) && !m.group().equals(FanoutConfig.LOG_LEVEL_ENV))
                unknown.merge(m.group(), 1, Integer::sum);
        }
        assertThat(unknown)
                .as("ROLLCAST_FANOUT_* names in docs/deploy.md that FanoutConfig does not read")
                .isEmpty();
        assertThat(Repo.read("docs/deploy.md"))
                .as("the variables the server never read")
                .doesNotContain("FANOUT_CONFIG", "FANOUT_JWT_HMAC_KEY");
    }
}
