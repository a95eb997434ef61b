package io.rollcast.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
@Timeout(120)
class TokenRefusalIT {
    private static FanoutServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start(RedisServer redis) {
        server = TestServer.start(redis.uri().toString(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> withToken(String token, String query) throws Exception {
        return get("/v1/snapshot?" + query, "Authorization", "Bearer " + token);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String messagePart) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.body())
                .startsWith("{\"error\":")
                .contains(messagePart)
                .hasSizeLessThan(200)
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("io.rollcast");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String claims(String tenant, long expSeconds) {
        return "{\"tenant\":\"" + tenant + "\",\"specs\":[\"tumbling-1m\"],\"exp\":" + expSeconds + "}";
    }

    private static long inAnHour() {
        return Instant.now().plusSeconds(3600).getEpochSecond();
    }

    @Test
    void aValidTokenIsAcceptedFromTheHeaderTheCookieOrTheQuery() throws Exception {
        String t = TestServer.token("acme", "tumbling-1m");
        assertThat(withToken(t, "spec=tumbling-1m").statusCode()).isEqualTo(200);
        assertThat(get("/v1/snapshot?spec=tumbling-1m", "Cookie", "rollcast_token=" + t)
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> viaQuery = get("/v1/snapshot?spec=tumbling-1m&access_token=" + t);
        assertThat(viaQuery.statusCode()).isEqualTo(200);
        assertThat(viaQuery.body()).contains("\"tenant\":\"acme\"");
    }

    @Test
    void noTokenIsRefusedWith401OnEveryReadEndpoint() throws Exception {
        assertRefused(get("/v1/snapshot?spec=tumbling-1m"), 401, "no token");
        assertRefused(get("/v1/me"), 401, "no token");
        assertRefused(get("/v1/ws?spec=tumbling-1m"), 401, "no token");
        try (SseClient sse = SseClient.open(server.port(), "/v1/stream?spec=tumbling-1m")) {
            assertThat(sse.status(5_000)).isEqualTo(401);
        }
    }

    @Test
    void aTokenWithABadSignatureIsRefused() throws Exception {
        String t = TestServer.token("acme", "tumbling-1m");
        String forged = t.substring(0, t.lastIndexOf('.') + 1) + b64("not the signature at all, not at all");
        assertRefused(withToken(forged, "spec=tumbling-1m"), 401, "bad signature");
        String otherKey = Tokens.mint(
                "another-secret-another-secret-another-secret", "acme", List.of("tumbling-1m"), Duration.ofHours(1));
        assertRefused(withToken(otherKey, "spec=tumbling-1m"), 401, "bad signature");
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        String t = Tokens.mint(
                TestServer.SECRET, "acme", List.of("tumbling-1m"), Instant.now().minusSeconds(600), null);
        assertRefused(withToken(t, "spec=tumbling-1m"), 401, "expired");
    }

    @Test
    void aTokenNotYetValidIsRefused() throws Exception {
        String t = Tokens.mint(
                TestServer.SECRET,
                "acme",
                List.of("tumbling-1m"),
                Instant.now().plusSeconds(7200),
                Instant.now().plusSeconds(600));
        assertRefused(withToken(t, "spec=tumbling-1m"), 401, "not yet valid");
    }

    /** An HS256 token signed with the server's key over exactly {@code claims}. */
    private static String hs256(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(TestServer.SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder acmeClaims() {
        return new JWTClaimsSet.Builder()
                .claim("tenant", "acme")
                .claim("specs", List.of("tumbling-1m"))
                .expirationTime(Date.from(Instant.now().plusSeconds(3600)));
    }

    @Test
    void aTokenIssuedInTheFutureBeyondTheClockSkewIsRefused() throws Exception {
        String aDayAhead = hs256(acmeClaims()
                .issueTime(Date.from(Instant.now().plusSeconds(86_400)))
                .build());
        assertRefused(withToken(aDayAhead, "spec=tumbling-1m"), 401, "issued in the future");
        String aMinuteAhead = hs256(acmeClaims()
                .issueTime(Date.from(Instant.now().plusSeconds(120)))
                .build());
        assertRefused(withToken(aMinuteAhead, "spec=tumbling-1m"), 401, "issued in the future");
    }

    @Test
    void aTokenIssuedSlightlyAheadWithinTheClockSkewIsAccepted() throws Exception {
        String t = hs256(
                acmeClaims().issueTime(Date.from(Instant.now().plusSeconds(5))).build());
        assertThat(withToken(t, "spec=tumbling-1m").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenWithoutATenantClaimIsRefusedEvenWithASubject() throws Exception {
        String userToken = hs256(new JWTClaimsSet.Builder()
                .subject("acme")
                .claim("specs", List.of("tumbling-1m"))
                .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                .build());
        assertRefused(withToken(userToken, "spec=tumbling-1m"), 401, "no tenant claim");
        assertRefused(get("/v1/me", "Authorization", "Bearer " + userToken), 401, "no tenant claim");
        try (SseClient sse = SseClient.open(server.port(), "/v1/stream?spec=tumbling-1m&access_token=" + userToken)) {
            assertThat(sse.status(5_000)).isEqualTo(401);
        }
    }

    @Test
    void anUnsignedAlgNoneTokenIsRefused() throws Exception {
        String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims("acme", inAnHour())) + ".";
        assertRefused(withToken(none, "spec=tumbling-1m"), 401, "alg none");
    }

    @Test
    void anHs512TokenIsRefusedEvenWithTheRightKey() throws Exception {
        String signingInput = b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + b64(claims("acme", inAnHour()));
        Mac mac = Mac.getInstance("HmacSHA512");
        mac.init(new SecretKeySpec(TestServer.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
        String sig = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        assertRefused(withToken(signingInput + "." + sig, "spec=tumbling-1m"), 401, "HS512 refused");
    }

    @Test
    void anRs256TokenIsRefused() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        SignedJWT jwt = new SignedJWT(
                new JWSHeader(JWSAlgorithm.RS256),
                new JWTClaimsSet.Builder()
                        .claim("tenant", "acme")
                        .claim("specs", List.of("tumbling-1m"))
                        .expirationTime(Date.from(Instant.now().plusSeconds(3600)))
                        .build());
        jwt.sign(new RSASSASigner(gen.generateKeyPair().getPrivate()));
        assertRefused(withToken(jwt.serialize(), "spec=tumbling-1m"), 401, "RS256 refused");
    }

    @Test
    void aMalformedTokenIsRefused() throws Exception {
        assertRefused(withToken("not-a-jwt", "spec=tumbling-1m"), 401, "malformed");
        assertRefused(withToken("a.b.c", "spec=tumbling-1m"), 401, "malformed");
    }

    @Test
    void aTokenOfTenantAAskingForTenantBIsForbidden() throws Exception {
        String t = TestServer.token("tenant-a", "tumbling-1m");
        assertRefused(withToken(t, "spec=tumbling-1m&tenant=tenant-b"), 403, "not for tenant tenant-b");
        try (SseClient sse =
                SseClient.open(server.port(), "/v1/stream?spec=tumbling-1m&tenant=tenant-b&access_token=" + t)) {
            assertThat(sse.status(5_000)).isEqualTo(403);
        }
        assertThat(withToken(t, "spec=tumbling-1m&tenant=tenant-a").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aSpecNotInTheTokenIsForbidden() throws Exception {
        String t = TestServer.token("acme", "tumbling-1m");
        assertRefused(withToken(t, "spec=sliding-5m-1m"), 403, "does not allow spec sliding-5m-1m");
        assertThat(withToken(TestServer.token("acme", "*"), "spec=sliding-5m-1m")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void badParametersGet400WithAShortJsonBody() throws Exception {
        String t = TestServer.token("acme", "*");
        assertRefused(withToken(t, "event_type=x"), 400, "spec is required");
        assertRefused(withToken(t, "spec=tumbling-1m&from=yesterday"), 400, "from must be epoch milliseconds");
        assertRefused(withToken(t, "spec=tumbling-1m&from=2000&to=1000"), 400, "to must be after from");
        assertRefused(withToken(t, "spec=tumbling-1m&from=0&to=999999999999"), 400, "range longer");
        assertRefused(get("/nothing-here"), 404, "no such path");
        assertRefused(get("/v1/snapshot?spec=" + "x".repeat(9000), "Authorization", "Bearer " + t), 414, "too long");
    }
}
