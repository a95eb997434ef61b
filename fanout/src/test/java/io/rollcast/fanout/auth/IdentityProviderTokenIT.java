package io.rollcast.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rollcast.fanout.FanoutServer;
import io.rollcast.fanout.SseClient;
import io.rollcast.fanout.TestServer;
import io.rollcast.testkit.RealServers;
import io.rollcast.testkit.RedisServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tokens of an identity provider: RS256 and ES256 verified with its JWKS, served by a real local
 * HTTPS server (a self-signed certificate made by keytool, trusted through {@code auth.jwks-ca-file}),
 * beside HS256 with the shared key; issuer and audience checks; key rotation; algorithm confusion;
 * tenant-claim shapes; huge tokens; conflicting credentials. Every refusal is a 4xx with a short JSON
 * body and no stack trace.
 */
@ExtendWith(RealServers.class)
@Timeout(120)
class IdentityProviderTokenIT {
    private static final String ISSUER = "https://idp.test/";
    private static final String AUDIENCE = "rollcast-api";
    private static final String SPEC = "tumbling-1m";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Path dir;
    private static HttpsServer idp;
    private static final AtomicReference<String> SERVED = new AtomicReference<>();
    private static final AtomicInteger FETCHES = new AtomicInteger();
    private static RSAKey rsa;
    private static ECKey ec;
    private static FanoutServer server;
    private static FanoutServer fileServer;
    private static FanoutServer rotating; // its own key cache, for the rotation tests
    private static String redisUri;

    @BeforeAll
    static void start(RedisServer redis) throws Exception {
        redisUri = redis.uri().toString();
        dir = Files.createTempDirectory("idp");
        Path ks = dir.resolve("idp.p12");
        Path ca = dir.resolve("idp-ca.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "idp",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-sigalg",
                "SHA256withECDSA",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "idp",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-file",
                ca.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(ks.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        idp = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        idp.setHttpsConfigurator(new HttpsConfigurator(tls));
        idp.createContext("/.well-known/jwks.json", ex -> {
            FETCHES.incrementAndGet();
            byte[] body = SERVED.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        idp.start();
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        serve(rsa, ec);
        server = TestServer.start(
                redisUri,
                Map.of(
                        "auth.jwks",
                        "https://127.0.0.1:" + idp.getAddress().getPort() + "/.well-known/jwks.json",
                        "auth.jwks-ca-file",
                        ca.toString(),
                        "auth.jwks-min-refetch",
                        "2s",
                        "auth.issuer",
                        ISSUER,
                        "auth.audience",
                        AUDIENCE));
        rotating = TestServer.start(
                redisUri,
                Map.of(
                        "auth.jwks",
                        "https://localhost:" + idp.getAddress().getPort() + "/.well-known/jwks.json",
                        "auth.jwks-ca-file",
                        ca.toString(),
                        "auth.jwks-min-refetch",
                        "4s"));
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, new JWKSet(List.of(rsa.toPublicJWK())).toString());
        fileServer = TestServer.start(redisUri, Map.of("auth.secret", "", "auth.jwks", file.toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (fileServer != null) fileServer.close();
        if (rotating != null) rotating.close();
        if (idp != null) idp.stop(0);
    }

    @BeforeEach
    void restoreKeys() {
        serve(rsa, ec);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool: %s", out).isZero();
    }

    /** The identity provider now publishes the public halves of {@code keys}. */
    private static void serve(JWK... keys) {
        List<JWK> pub = new ArrayList<>();
        for (JWK k : keys) pub.add(k instanceof OctetSequenceKey || !k.isPrivate() ? k : k.toPublicJWK());
        SERVED.set(new JWKSet(pub).toString(false));
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .claim("tenant", "acme")
                .claim("specs", List.of(SPEC))
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(3600)));
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims, new RSASSASigner(key));
    }

    private static String es256(ECKey key, JWTClaimsSet claims) throws Exception {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims, new ECDSASigner(key));
    }

    private static HttpResponse<String> get(FanoutServer s, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> withToken(String token) throws Exception {
        return withToken(server, token);
    }

    private static HttpResponse<String> withToken(FanoutServer s, String token) throws Exception {
        return get(s, "/v1/snapshot?spec=" + SPEC, "Authorization", "Bearer " + token);
    }

    static void assertRefused(HttpResponse<String> r, int status, String messagePart) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
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

    // ---- accepted

    @Test
    void anRs256TokenSignedByAKeyOfTheJwksIsAccepted() throws Exception {
        HttpResponse<String> r = get(server, "/v1/me", "Authorization", "Bearer " + rs256(rsa, claims().build()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"tenant\":\"acme\"");
        assertThat(withToken(rs256(rsa, claims().build())).statusCode()).isEqualTo(200);
    }

    @Test
    void anEs256TokenSignedByAKeyOfTheJwksIsAcceptedAlsoOnAStream() throws Exception {
        String t = es256(ec, claims().build());
        assertThat(withToken(t).statusCode()).isEqualTo(200);
        try (SseClient sse = SseClient.open(server.port(), "/v1/stream?spec=" + SPEC + "&access_token=" + t)) {
            assertThat(sse.status(5_000)).isEqualTo(200);
            assertThat(sse.next("snapshot", 10_000)).isNotNull();
        }
    }

    @Test
    void aTokenWithoutKeyIdIsCheckedAgainstTheKeysPinnedToItsAlgorithm() throws Exception {
        String t = sign(new JWSHeader(JWSAlgorithm.ES256), claims().build(), new ECDSASigner(ec));
        assertThat(withToken(t).statusCode()).isEqualTo(200);
    }

    @Test
    void hs256WithTheSharedKeyStillWorksBesideTheJwks() throws Exception {
        String t = sign(new JWSHeader(JWSAlgorithm.HS256), claims().build(), new MACSigner(TestServer.SECRET));
        assertThat(withToken(t).statusCode()).isEqualTo(200);
    }

    @Test
    void aJwksFileWorksLikeTheUrlAndWithoutASecretHs256IsRefused() throws Exception {
        HttpResponse<String> ok =
                get(fileServer, "/v1/snapshot?spec=" + SPEC, "Authorization", "Bearer " + rs256(rsa, claims().build()));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        String hs = TestServer.token("acme", SPEC);
        assertRefused(
                get(fileServer, "/v1/snapshot?spec=" + SPEC, "Authorization", "Bearer " + hs), 401, "HS256 refused");
    }

    // ---- wrong keys, forged

    @Test
    void anRs256TokenSignedByAnotherKeyWithTheSameKeyIdIsRefused() throws Exception {
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertRefused(withToken(rs256(impostor, claims().build())), 401, "bad signature");
    }

    @Test
    void anEs256TokenSignedByAnotherEcKeyIsRefused() throws Exception {
        ECKey impostor = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        assertRefused(withToken(es256(impostor, claims().build())), 401, "bad signature");
    }

    @Test
    void aJwksTokenWhoseClaimsWereChangedAfterSigningIsRefused() throws Exception {
        String t = rs256(rsa, claims().build());
        String[] parts = t.split("\\.");
        String forged =
                parts[0] + "." + b64(claims().claim("tenant", "other").build().toString()) + "." + parts[2];
        assertRefused(withToken(forged), 401, "bad signature");
    }

    @Test
    void anHs256TokenMacedWithTheRsaPublicKeyIsRefused() throws Exception {
        // the classic confusion: the public key (known to everyone) used as an HMAC secret
        byte[] publicKey = rsa.toPublicKey().getEncoded();
        String t = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                claims().build(),
                new MACSigner(publicKey));
        assertRefused(withToken(t), 401, "bad signature");
        byte[] pem = ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKey)
                        + "\n-----END PUBLIC KEY-----\n")
                .getBytes(StandardCharsets.US_ASCII);
        String t2 = sign(new JWSHeader(JWSAlgorithm.HS256), claims().build(), new MACSigner(pem));
        assertRefused(withToken(t2), 401, "bad signature");
    }

    @Test
    void anHs256TokenMacedWithASymmetricKeyPublishedInTheJwksIsRefused() throws Exception {
        OctetSequenceKey oct = new OctetSequenceKeyGenerator(256).keyID("oct-1").generate();
        serve(rsa, ec, oct); // a careless provider: an oct key in its JWKS
        String t = sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("oct-1").build(), claims().build(), new MACSigner(oct));
        assertRefused(withToken(t), 401, "bad signature");
    }

    @Test
    void anRs256HeaderNamingTheEcKeyIsRefused() throws Exception {
        String t = sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ec-1").build(),
                claims().build(),
                new RSASSASigner(rsa));
        assertRefused(withToken(t), 401, "does not match the key");
    }

    @Test
    void anEs256HeaderNamingTheRsaKeyIsRefused() throws Exception {
        String t = sign(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1").build(),
                claims().build(),
                new ECDSASigner(ec));
        assertRefused(withToken(t), 401, "does not match the key");
    }

    @Test
    void anRs512TokenIsRefusedEvenWithAKeyOfTheJwks() throws Exception {
        String t = sign(
                new JWSHeader.Builder(JWSAlgorithm.RS512).keyID("rsa-1").build(),
                claims().build(),
                new RSASSASigner(rsa));
        assertRefused(withToken(t), 401, "RS512 refused");
    }

    @Test
    void anUnsignedTokenNamingAJwksKeyIsRefused() throws Exception {
        String none = b64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + "."
                + b64(claims().build().toString()) + ".";
        assertRefused(withToken(none), 401, "alg none");
    }

    // ---- rotation

    @Test
    void aRotatedKeyIsFetchedOnItsFirstTokenAndTheRetiredKeyIsRefused() throws Exception {
        Thread.sleep(4_100); // past the refetch rate limit of earlier tests
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        serve(next, ec); // the provider rotated rsa-1 out
        int before = FETCHES.get();
        HttpResponse<String> r = withToken(rotating, rs256(next, claims().build()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(FETCHES.get() - before).as("one fetch for the unknown kid").isEqualTo(1);
        assertRefused(withToken(rotating, rs256(rsa, claims().build())), 401, "unknown key id");
        assertThat(withToken(rotating, rs256(next, claims().build())).statusCode())
                .isEqualTo(200);
        assertThat(FETCHES.get() - before)
                .as("known kids are served from the cache")
                .isEqualTo(1);
    }

    @Test
    void unknownKeyIdsRefetchTheJwksAtMostOncePerPeriod() throws Exception {
        RSAKey strangerKey = new RSAKeyGenerator(2048).generate();
        Thread.sleep(4_100);
        int before = FETCHES.get();
        for (int i = 0; i < 20; i++) {
            RSAKey stranger =
                    new RSAKey.Builder(strangerKey).keyID("stranger-" + i).build();
            assertRefused(withToken(rotating, rs256(stranger, claims().build())), 401, "unknown key id");
        }
        assertThat(FETCHES.get() - before).as("20 unknown kids within 4 s").isEqualTo(1);
        Thread.sleep(4_100);
        RSAKey late = new RSAKey.Builder(strangerKey).keyID("late").build();
        assertRefused(withToken(rotating, rs256(late, claims().build())), 401, "unknown key id");
        assertThat(FETCHES.get() - before).as("one more once the period passed").isEqualTo(2);
    }

    // ---- claims

    @Test
    void aJwksTokenFromAnotherIssuerIsRefused() throws Exception {
        assertRefused(withToken(rs256(rsa, claims().issuer("https://evil.test/").build())), 401, "issuer");
    }

    @Test
    void aJwksTokenWithoutIssuerIsRefusedWhenOneIsConfigured() throws Exception {
        assertRefused(withToken(rs256(rsa, claims().issuer(null).build())), 401, "issuer");
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        assertRefused(withToken(es256(ec, claims().audience("other-api").build())), 401, "audience");
        assertRefused(withToken(es256(ec, claims().audience((String) null).build())), 401, "audience");
    }

    @Test
    void aTokenWhoseAudienceListContainsOursIsAccepted() throws Exception {
        String t = es256(ec, claims().audience(List.of("other-api", AUDIENCE)).build());
        assertThat(withToken(t).statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredJwksTokenIsRefused() throws Exception {
        JWTClaimsSet c = claims().expirationTime(Date.from(Instant.now().minusSeconds(300)))
                .build();
        assertRefused(withToken(rs256(rsa, c)), 401, "expired");
    }

    @Test
    void aJwksTokenNotYetValidIsRefused() throws Exception {
        JWTClaimsSet c = claims().notBeforeTime(Date.from(Instant.now().plusSeconds(600)))
                .build();
        assertRefused(withToken(es256(ec, c)), 401, "not yet valid");
    }

    @Test
    void aJwksTokenIssuedInTheFutureIsRefused() throws Exception {
        JWTClaimsSet c =
                claims().issueTime(Date.from(Instant.now().plusSeconds(3600))).build();
        assertRefused(withToken(rs256(rsa, c)), 401, "issued in the future");
    }

    @Test
    void aTokenWithAnEmptyTenantIsRefused() throws Exception {
        assertRefused(withToken(rs256(rsa, claims().claim("tenant", "").build())), 401, "no valid tenant");
    }

    @Test
    void aTokenWithAListOfTenantsIsRefused() throws Exception {
        assertRefused(
                withToken(rs256(
                        rsa, claims().claim("tenant", List.of("acme", "globex")).build())),
                401,
                "ill-typed tenant");
        assertRefused(
                withToken(rs256(rsa, claims().claim("tenant", List.of("acme")).build())), 401, "ill-typed tenant");
    }

    @Test
    void aTokenWithAGlobOrNonStringTenantIsRefused() throws Exception {
        for (Object glob : new Object[] {"*", "acme*", "acme:*", "a/b", 42, Map.of("id", "acme")}) {
            assertRefused(withToken(rs256(rsa, claims().claim("tenant", glob).build())), 401, "tenant");
        }
    }

    @Test
    void aJwksTokenWithoutTenantButWithSubjectIsRefused() throws Exception {
        JWTClaimsSet c = claims().claim("tenant", null).subject("acme").build();
        assertRefused(withToken(es256(ec, c)), 401, "no tenant claim");
    }

    @Test
    void aJwksTokenOfOneTenantCannotReadAnother() throws Exception {
        String t = rs256(rsa, claims().build());
        assertRefused(
                get(server, "/v1/snapshot?spec=" + SPEC + "&tenant=globex", "Authorization", "Bearer " + t),
                403,
                "not for tenant globex");
        try (SseClient sse =
                SseClient.open(server.port(), "/v1/stream?spec=" + SPEC + "&tenant=globex&access_token=" + t)) {
            assertThat(sse.status(5_000)).isEqualTo(403);
        }
    }

    // ---- size and transport

    @Test
    void aHugeTokenIsRefusedWithoutBeingParsed() throws Exception {
        JWTClaimsSet fat = claims().claim("padding", "x".repeat(5_000)).build();
        assertRefused(withToken(rs256(rsa, fat)), 401, "token too long");
        String giant = "a".repeat(10_000);
        assertRefused(withToken(giant), 431, "too large");
        assertRefused(get(server, "/v1/snapshot?spec=" + SPEC + "&access_token=" + giant), 414, "too long");
    }

    @Test
    void differentTokensInTheHeaderAndTheQueryAreRefusedAs400() throws Exception {
        String a = rs256(rsa, claims().build());
        String b = es256(ec, claims().build());
        assertRefused(
                get(server, "/v1/snapshot?spec=" + SPEC + "&access_token=" + b, "Authorization", "Bearer " + a),
                400,
                "conflicting tokens");
        assertRefused(
                get(server, "/v1/snapshot?spec=" + SPEC + "&access_token=" + a + "&access_token=" + b),
                400,
                "conflicting tokens");
        assertThat(get(server, "/v1/snapshot?spec=" + SPEC + "&access_token=" + a, "Authorization", "Bearer " + a)
                        .statusCode())
                .as("the same token twice")
                .isEqualTo(200);
    }

    @Test
    void anExplicitTokenWinsOverTheCookieAndTwoCookieTokensAreRefused() throws Exception {
        String globex = rs256(rsa, claims().claim("tenant", "globex").build());
        String acme = rs256(rsa, claims().build());
        HttpResponse<String> r =
                get(server, "/v1/me", "Authorization", "Bearer " + acme, "Cookie", "rollcast_token=" + globex);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"tenant\":\"acme\"");
        HttpResponse<String> stale = get(
                server,
                "/v1/me?access_token=" + acme,
                "Cookie",
                "rollcast_token=expired.garbage.token",
                "Origin",
                "https://evil.test");
        assertThat(stale.statusCode())
                .as("a stale cookie does not break an explicit token")
                .isEqualTo(200);
        assertRefused(
                get(server, "/v1/me", "Cookie", "rollcast_token=" + acme + "; rollcast_token=" + globex),
                400,
                "conflicting tokens");
    }

    @Test
    void aCrossSiteWebSocketUpgradeWithAJwksCookieIsRefused() throws Exception {
        String t = rs256(rsa, claims().build());
        HttpResponse<String> r =
                get(server, "/v1/ws?spec=" + SPEC, "Cookie", "rollcast_token=" + t, "Origin", "https://evil.test");
        assertRefused(r, 403, "origin not allowed");
    }
}
