package io.rollcast.fanout.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanoutConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void yamlThenEnvThenSetOverridesWin(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("fanout.yaml");
        Files.writeString(
                yaml,
                "server:\n  port: 9000\n  backlog: 100\nclient.max-pending: 10\nauth:\n  secret: " + SECRET + "\n");
        FanoutConfig c = FanoutConfig.load(
                yaml, Map.of("ROLLCAST_FANOUT_SERVER_BACKLOG", "200"), Map.of("client.max-pending", "20"));
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.backlog()).isEqualTo(200);
        assertThat(c.maxPending()).isEqualTo(20);
        assertThat(c.pingInterval().toSeconds()).isEqualTo(15);
    }

    @Test
    void anUnknownKeyStopsStartUpNamingIt() {
        assertThatThrownBy(() -> FanoutConfig.load(null, Map.of(), Map.of("server.prot", "1", "auth.secret", SECRET)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'server.prot'");
        assertThatThrownBy(() -> FanoutConfig.load(null, Map.of("ROLLCAST_FANOUT_SERVER_PROT", "1"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ROLLCAST_FANOUT_SERVER_PROT");
    }

    @Test
    void aBadValueStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.secret", SECRET, "sse.ping-interval", "soon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'sse.ping-interval'");
        assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.secret", SECRET, "store.type", "mysql")))
                .hasMessageContaining("'store.type'")
                .hasMessageContaining("postgres, clickhouse, none");
        assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.secret", SECRET, "client.max-pending", "0")))
                .hasMessageContaining("'client.max-pending'");
    }

    @Test
    void allowedOriginsAreAListOfSchemeHostPortAndAnythingElseStopsStartUpNamingTheKey() {
        assertThat(FanoutConfig.of(Map.of("auth.secret", SECRET)).allowedOrigins())
                .isEmpty();
        assertThat(FanoutConfig.of(Map.of(
                                "auth.secret",
                                SECRET,
                                "auth.allowed-origins",
                                " https://Dash.example/ ,http://localhost:3000,http://[::1]:8080"))
                        .allowedOrigins())
                .containsExactly("https://dash.example", "http://localhost:3000", "http://[::1]:8080");
        for (String bad :
                new String[] {"*", "dash.example", "https://dash.example/app", "ftp://dash.example", "https://*.example"
                }) {
            assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.secret", SECRET, "auth.allowed-origins", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("'auth.allowed-origins'");
        }
    }

    @Test
    void aMissingOrShortSecretStopsStartUp(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> FanoutConfig.of(Map.of())).hasMessageContaining("'auth.secret'");
        assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.secret", "short")))
                .hasMessageContaining("at least 32 bytes");
        Path f = dir.resolve("secret");
        Files.writeString(f, SECRET + "\n");
        assertThat(FanoutConfig.of(Map.of("auth.secret-file", f.toString())).authSecret())
                .isEqualTo(SECRET);
    }

    @Test
    void aJwksAloneIsEnoughAndItMustBeAFileOrAnHttpsUrl() {
        FanoutConfig c = FanoutConfig.of(Map.of("auth.jwks", "https://idp.example/.well-known/jwks.json"));
        assertThat(c.authSecret()).isEmpty();
        assertThat(c.jwks()).hasValue("https://idp.example/.well-known/jwks.json");
        assertThat(FanoutConfig.of(Map.of("auth.jwks", "/etc/rollcast/jwks.json"))
                        .jwks())
                .hasValue("/etc/rollcast/jwks.json");
        assertThat(FanoutConfig.of(Map.of("auth.secret", SECRET)).jwks()).isEmpty();
        for (String bad : new String[] {
            "http://idp.example/jwks", "ftp://idp.example/jwks", "https:///jwks", "https://u:p@idp.example/jwks"
        }) {
            assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.jwks", bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("'auth.jwks'");
        }
        assertThatThrownBy(() -> FanoutConfig.of(Map.of("auth.jwks", "/x", "auth.secret", "short")))
                .hasMessageContaining("at least 32 bytes");
    }

    @Test
    void theTableListsEveryKeyWithItsEnvName() {
        String t = FanoutConfig.table();
        for (io.rollcast.config.Option<?> o : FanoutConfig.options())
            assertThat(t).contains("`" + o.key() + "`");
        assertThat(t).contains("ROLLCAST_FANOUT_AUTH_SECRET");
    }

    @Test
    void theDocsTableIsTheGeneratedOne() throws Exception {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "config-table.md"), FanoutConfig.table());
        assertThat(Files.readString(Path.of("..", "docs", "fanout.md")))
                .as(
                        "docs/fanout.md config table is stale: copy fanout/target/config-table.md (FanoutServer --print-config-table)")
                .contains(FanoutConfig.table().strip());
    }
}
