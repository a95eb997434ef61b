package io.rollcast.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rollcast.fanout.auth.Tokens;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An open SSE or WebSocket stream does not outlive its token: it is ended, with the reason, once the token expires. */
@ExtendWith(RealServers.class)
@Timeout(60)
class TokenExpiryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = "tumbling-1m";
    private static final long SKEW_MS = 1_000;
    private static FanoutServer server;

    @BeforeAll
    static void start(RedisServer redis) {
        server = TestServer.start(redis.uri().toString(), Map.of("auth.clock-skew", "1s"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A token valid for about two seconds (exp has whole seconds); returns it and its exp in epoch ms. */
    private static Object[] shortLivedToken(String tenant) {
        Instant exp = Instant.ofEpochSecond(Instant.now().plusSeconds(3).getEpochSecond());
        return new Object[] {Tokens.mint(TestServer.SECRET, tenant, List.of(SPEC), exp, null), exp.toEpochMilli()};
    }

    @Test
    void anSseStreamIsEndedWithAnExpiredEventWhenItsTokenExpires() throws Exception {
        Object[] t = shortLivedToken("expiry-sse");
        long expMs = (long) t[1];
        try (SseClient c = SseClient.open(server.port(), "/v1/stream?spec=" + SPEC + "&access_token=" + t[0])) {
            assertThat(c.status(5_000)).isEqualTo(200);
            assertThat(c.next("snapshot", 10_000)).isNotNull();
            SseClient.Event error = c.next("expired", 15_000);
            long at = System.currentTimeMillis();
            assertThat(error).as("an expired event once the token expired").isNotNull();
            JsonNode body = JSON.readTree(error.data());
            assertThat(body.get("error").asText()).isEqualTo("auth_expired");
            assertThat(at).as("not before the token expired").isGreaterThanOrEqualTo(expMs);
            assertThat(at - expMs)
                    .as("within a few seconds of expiry (skew 1 s)")
                    .isLessThan(SKEW_MS + 4_000);
            long deadline = System.currentTimeMillis() + 3_000;
            while (!c.ended() && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(c.ended()).as("the server closed the stream").isTrue();
        }
    }

    @Test
    void aWebSocketIsClosedWithCode4001WhenItsTokenExpires() throws Exception {
        Object[] t = shortLivedToken("expiry-ws");
        long expMs = (long) t[1];
        WsFrames listener = new WsFrames();
        String url = "ws://127.0.0.1:" + server.port() + "/v1/ws?spec=" + SPEC + "&access_token=" + t[0];
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create(url), listener)
                .get(10, TimeUnit.SECONDS);
        try {
            assertThat(JSON.readTree(listener.frames.poll(10, TimeUnit.SECONDS))
                            .get("event")
                            .asText())
                    .isEqualTo("snapshot");
            WsFrames.Close close = listener.closed.get(15, TimeUnit.SECONDS);
            assertThat(close.code()).as("close code 4001: token expired").isEqualTo(4001);
            assertThat(close.reason()).contains("expired");
            assertThat(close.atMs()).isGreaterThanOrEqualTo(expMs);
            assertThat(close.atMs() - expMs).isLessThan(SKEW_MS + 4_000);
        } finally {
            ws.abort();
        }
    }
}
