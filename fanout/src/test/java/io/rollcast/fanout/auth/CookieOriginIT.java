package io.rollcast.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.TestServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cross-site WebSocket hijacking and its HTTP cousins: a request authenticated by the cookie (an
 * ambient credential a browser attaches to cross-site requests too) is refused when its Origin is
 * neither the server's own nor in {@code auth.allowed-origins}; a token from the header or the query
 * is not ambient, so it needs no Origin check.
 */
@ExtendWith(RealServers.class)
@Timeout(60)
class CookieOriginIT {
    private static final String SPEC = "tumbling-1m";
    private static FanoutServer server;
    private static String redisUri;

    @BeforeAll
    static void start(RedisServer redis) {
        redisUri = redis.uri().toString();
        server = TestServer.start(redisUri, Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A raw HTTP/1.1 exchange: the status line's code and everything after the headers read until the close or a short idle. */
    private record Reply(int status, String head, String body) {}

    private static Reply send(int port, String pathAndQuery, boolean upgrade, String... headers) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(1_500);
            StringBuilder req =
                    new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
            if (upgrade) {
                req.append(
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            } else {
                req.append("Connection: close\r\n");
            }
            for (int i = 0; i + 1 < headers.length; i += 2)
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    String sofar = got.toString(StandardCharsets.ISO_8859_1);
                    if (sofar.startsWith("HTTP/1.1 101") && sofar.contains("\r\n\r\n"))
                        break; // upgraded: the stream stays open
                }
            } catch (java.net.SocketTimeoutException e) {
                // idle: what came is the answer
            }
            String text = got.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            String body = end < 0 ? "" : text.substring(end + 4);
            return new Reply(Integer.parseInt(head.split(" ")[1]), head, body);
        }
    }

    private static String cookie() {
        return "rollcast_token=" + TestServer.token("acme", SPEC);
    }

    private static void assertForbiddenOrigin(Reply r) {
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.head().toLowerCase()).contains("content-type: application/json");
        assertThat(r.body())
                .startsWith("{\"error\":\"forbidden\"")
                .contains("origin")
                .doesNotContain("Exception");
    }

    @Test
    void aCrossSiteWebSocketUpgradeWithTheCookieIsRefusedWith403() throws Exception {
        assertForbiddenOrigin(
                send(server.port(), "/v1/ws?spec=" + SPEC, true, "Cookie", cookie(), "Origin", "https://evil.example"));
        assertForbiddenOrigin(send(server.port(), "/v1/ws?spec=" + SPEC, true, "Cookie", cookie(), "Origin", "null"));
        // the same host on another port or scheme-less tricks are other origins too
        assertForbiddenOrigin(
                send(server.port(), "/v1/ws?spec=" + SPEC, true, "Cookie", cookie(), "Origin", "http://127.0.0.1:1"));
        assertForbiddenOrigin(send(
                server.port(),
                "/v1/ws?spec=" + SPEC,
                true,
                "Cookie",
                cookie(),
                "Origin",
                "http://127.0.0.1:" + server.port() + ".evil.example"));
    }

    @Test
    void crossSiteCookieRequestsToTheOtherReadEndpointsAreRefusedWith403() throws Exception {
        assertForbiddenOrigin(send(
                server.port(),
                "/v1/snapshot?spec=" + SPEC,
                false,
                "Cookie",
                cookie(),
                "Origin",
                "https://evil.example"));
        assertForbiddenOrigin(
                send(server.port(), "/v1/me", false, "Cookie", cookie(), "Origin", "https://evil.example"));
        assertForbiddenOrigin(send(
                server.port(), "/v1/stream?spec=" + SPEC, false, "Cookie", cookie(), "Origin", "https://evil.example"));
    }

    @Test
    void aSameOriginWebSocketUpgradeWithTheCookieIsAccepted() throws Exception {
        assertThat(send(
                                server.port(),
                                "/v1/ws?spec=" + SPEC,
                                true,
                                "Cookie",
                                cookie(),
                                "Origin",
                                "http://127.0.0.1:" + server.port())
                        .status())
                .isEqualTo(101);
        assertThat(send(
                                server.port(),
                                "/v1/snapshot?spec=" + SPEC,
                                false,
                                "Cookie",
                                cookie(),
                                "Origin",
                                "http://127.0.0.1:" + server.port())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aCookieRequestWithoutOriginIsAccepted() throws Exception {
        // browsers send Origin on every WebSocket upgrade and cross-origin request; without one it is a same-origin GET
        // or not a browser
        assertThat(send(server.port(), "/v1/snapshot?spec=" + SPEC, false, "Cookie", cookie())
                        .status())
                .isEqualTo(200);
    }

    @Test
    void aCrossSiteWebSocketUpgradeIsRefusedWhateverCarriesItsToken() throws Exception {
        String t = TestServer.token("acme", SPEC);
        assertForbiddenOrigin(send(
                server.port(),
                "/v1/ws?spec=" + SPEC,
                true,
                "Authorization",
                "Bearer " + t,
                "Origin",
                "https://other.example"));
        assertForbiddenOrigin(send(
                server.port(), "/v1/ws?spec=" + SPEC + "&access_token=" + t, true, "Origin", "https://other.example"));
        assertThat(send(server.port(), "/v1/ws?spec=" + SPEC + "&access_token=" + t, true)
                        .status())
                .as("no Origin: not a browser")
                .isEqualTo(101);
    }

    @Test
    void aHeaderOrQueryTokenNeedsNoOriginCheckOutsideWebSockets() throws Exception {
        String t = TestServer.token("acme", SPEC);
        assertThat(send(
                                server.port(),
                                "/v1/me",
                                false,
                                "Authorization",
                                "Bearer " + t,
                                "Origin",
                                "https://other.example")
                        .status())
                .isEqualTo(200);
        assertThat(send(server.port(), "/v1/me?access_token=" + t, false, "Origin", "https://other.example")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void anOriginInTheConfiguredAllowListIsAcceptedWithTheCookie() throws Exception {
        try (FanoutServer allowing = TestServer.start(
                redisUri, Map.of("auth.allowed-origins", "https://dash.example, http://localhost:3000"))) {
            assertThat(send(
                                    allowing.port(),
                                    "/v1/ws?spec=" + SPEC,
                                    true,
                                    "Cookie",
                                    cookie(),
                                    "Origin",
                                    "https://dash.example")
                            .status())
                    .isEqualTo(101);
            assertThat(send(
                                    allowing.port(),
                                    "/v1/ws?spec=" + SPEC,
                                    true,
                                    "Cookie",
                                    cookie(),
                                    "Origin",
                                    "http://localhost:3000")
                            .status())
                    .isEqualTo(101);
            assertThat(send(
                                    allowing.port(),
                                    "/v1/ws?spec=" + SPEC,
                                    true,
                                    "Cookie",
                                    cookie(),
                                    "Origin",
                                    "http://127.0.0.1:" + allowing.port())
                            .status())
                    .as("the server's own origin stays allowed")
                    .isEqualTo(101);
            assertForbiddenOrigin(send(
                    allowing.port(),
                    "/v1/ws?spec=" + SPEC,
                    true,
                    "Cookie",
                    cookie(),
                    "Origin",
                    "https://evil.example"));
            assertForbiddenOrigin(send(
                    allowing.port(), "/v1/ws?spec=" + SPEC, true, "Cookie", cookie(), "Origin", "http://dash.example"));
        }
    }
}
