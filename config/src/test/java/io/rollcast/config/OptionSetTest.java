package io.rollcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionSetTest {
    static final Option<Integer> PORT = Option.integer("server.port", "8080", 0, "Port.");
    static final Option<Duration> PING = Option.positiveDuration("sse.ping-interval", "15s", "Ping.");
    static final Option<String> PASSWORD =
            Option.string("store.password", "", "Password.").secret();
    static final Option<String> REDIS = Option.url("redis.uri", "redis://h:1", "Redis.", "redis://");
    static final Option<String> MODE = Option.oneOf("mode", "live", "Mode.", "live", "off");
    static final Option<String> LIST = Option.string("specs", "a", "A list.");
    static final OptionSet SET =
            new OptionSet("test", "T_", Set.of("T_LOG_LEVEL"), List.of(PORT, PING, PASSWORD, REDIS, MODE, LIST));

    @Test
    void laterSourcesWinFileThenEnvironmentThenSet(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(
                yaml, "server:\n  port: 1\nsse.ping-interval: 2s\nmode: off\nspecs: [x, y]\nstore.password: yes\n");
        Config c = SET.load(
                yaml, Map.of("T_SERVER_PORT", "2", "T_LOG_LEVEL", "debug", "OTHER", "x"), Map.of("server.port", "3"));
        assertThat(c.get(PORT)).isEqualTo(3);
        assertThat(c.get(PING)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.get(MODE)).isEqualTo("off");
        assertThat(c.get(LIST)).isEqualTo("x,y");
        assertThat(c.isSet(MODE)).isTrue();
        assertThat(c.get(PASSWORD)).as("YAML 1.1 booleans are taken as written").isEqualTo("yes");
        assertThat(SET.load(null, Map.of("T_SERVER_PORT", "2"), Map.of()).get(PORT))
                .isEqualTo(2);
    }

    @Test
    void unknownKeysInAnySourceStopStartUpNamingTheKey(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("c.yaml");
        Files.writeString(yaml, "http:\n  port: 1\n");
        assertThatThrownBy(() -> SET.load(yaml, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'http.port'");
        assertThatThrownBy(() -> SET.load(null, Map.of("T_SERVER_PROT", "1"), Map.of()))
                .hasMessageContaining("T_SERVER_PROT");
        assertThatThrownBy(() -> SET.load(null, Map.of(), Map.of("server.prot", "1")))
                .hasMessageContaining("'server.prot'");
        Files.writeString(yaml, "- a\n");
        assertThatThrownBy(() -> SET.load(yaml, Map.of(), Map.of())).hasMessageContaining("YAML mapping");
    }

    @Test
    void badValuesNameTheKeyAndNeverEchoASecret() {
        assertThatThrownBy(() -> SET.of(Map.of("server.port", "eighty")))
                .hasMessage("config key 'server.port': 'eighty' is not a number");
        assertThatThrownBy(() -> SET.of(Map.of("server.port", "-1"))).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> SET.of(Map.of("sse.ping-interval", "0s")))
                .hasMessageContaining("'sse.ping-interval'")
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> SET.of(Map.of("mode", "sometimes"))).hasMessageContaining("must be one of live, off");
        assertThatThrownBy(() -> SET.of(Map.of("redis.uri", "http://x")))
                .hasMessageContaining("must start with redis://");
        Option<Integer> secretNumber = Option.integer("pin", "1", 0, "A PIN.").secret();
        OptionSet s = new OptionSet("t", null, Set.of(), List.of(secretNumber));
        assertThatThrownBy(() -> s.of(Map.of("pin", "12ab")))
                .hasMessageNotContaining("12ab")
                .hasMessageContaining("******");
    }

    @Test
    void shownValuesMaskSecretsAndUriPasswords() {
        Config c = SET.of(Map.of("store.password", "s3cret", "redis.uri", "redis://app:pw@h:6379/0"));
        assertThat(c.shown())
                .containsEntry("store.password", "******")
                .containsEntry("redis.uri", "redis://******@h:6379/0");
        assertThat(c.toString()).doesNotContain("s3cret", "pw@");
    }

    @Test
    void theDocsTableListsEveryOptionWithItsEnvNameTypeAndDefault() {
        String t = SET.markdownTable();
        assertThat(t).startsWith("| key | env | type | default | meaning |");
        assertThat(t.lines())
                .as("no cell breaks the Markdown table (a '|' inside a type or doc)")
                .allMatch(l -> l.chars().filter(c -> c == '|').count() == 6);
        assertThat(t).contains("| `mode` | `T_MODE` | one of live, off | `live` | Mode. |");
        assertThat(t).contains("| `server.port` | `T_SERVER_PORT` | integer | `8080` | Port. |");
        assertThat(t).contains("| `store.password` | `T_STORE_PASSWORD` | string | `\"\"` | Password. |");
        assertThat(new OptionSet("t", null, Set.of(), List.of(PORT)).markdownTable())
                .startsWith("| key | type | default | meaning |");
    }

    @Test
    void anOptionDeclaredTwiceIsAProgrammingError() {
        assertThatThrownBy(() -> new OptionSet("t", null, Set.of(), List.of(PORT, PORT)))
                .hasMessageContaining("twice");
    }
}
