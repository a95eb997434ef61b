package io.rollcast.fanout.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public keys of an identity provider, from a JWKS file or an HTTPS URL, each pinned to one
 * algorithm: the key's own {@code alg} if it has one, else RS256 for an RSA key and ES256 for a P-256
 * EC key. Other keys (symmetric {@code oct} keys, other curves, RSA under 2048 bits, {@code use: enc})
 * are ignored, so a token can never make the server verify it as an HMAC with a public key.
 *
 * <p>Caching and rotation: the set is loaded at start. A token naming a key id ({@code kid}) the set
 * does not have triggers a reload (the provider rotated its keys), at most once per
 * {@code minRefetch}; a set older than {@code maxAge} is reloaded on the next use. A failed reload
 * keeps the keys held. A reload runs on the caller's thread (an event loop) with a 3 s timeout and a
 * 512 KiB body limit; the rate limit bounds how often that can happen, whatever tokens arrive.
 */
public final class JwksKeys {
    private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_BYTES = 512 * 1024;
    /** The asymmetric algorithms a key may be pinned to. */
    public static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    /** One verification key: its id (may be null), the one algorithm it verifies, and the verifier. */
    public record PinnedKey(String kid, JWSAlgorithm alg, JWSVerifier verifier) {}

    private final String source;
    private final Loader loader;
    private final Clock clock;
    private final long maxAgeMs;
    private final long minRefetchMs;
    private volatile List<PinnedKey> keys = List.of();
    private volatile long loadedAt = Long.MIN_VALUE / 2;
    private long triedAt = Long.MIN_VALUE / 2; // guarded by this
    private long loads; // guarded by this

    @FunctionalInterface
    private interface Loader {
        String load() throws IOException, InterruptedException;
    }

    private JwksKeys(String source, Loader loader, Clock clock, Duration maxAge, Duration minRefetch) {
        this.source = source;
        this.loader = loader;
        this.clock = clock;
        this.maxAgeMs = maxAge.toMillis();
        this.minRefetchMs = minRefetch.toMillis();
        synchronized (this) {
            reload();
        }
    }

    /**
     * The keys at {@code location}: an {@code https://} URL (trusting the CA certificates in the PEM
     * file {@code caFile} if given, else the JVM's), or a file path.
     */
    public static JwksKeys open(
            String location, Optional<Path> caFile, Clock clock, Duration maxAge, Duration minRefetch) {
        if (location.startsWith("https://")) {
            URI uri = URI.create(location);
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .sslContext(caFile.map(JwksKeys::trusting).orElseGet(JwksKeys::defaultContext))
                    .build();
            return new JwksKeys(location, () -> fetch(http, uri), clock, maxAge, minRefetch);
        }
        if (location.contains("://")) throw new IllegalArgumentException("a JWKS URL must be https://");
        Path file = Path.of(location);
        return new JwksKeys(location, () -> Files.readString(file, StandardCharsets.UTF_8), clock, maxAge, minRefetch);
    }

    private static String fetch(HttpClient http, URI uri) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode());
            byte[] body = in.readNBytes(MAX_BYTES + 1);
            if (body.length > MAX_BYTES) throw new IOException("JWKS larger than " + MAX_BYTES + " bytes");
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS context that trusts exactly the certificates in the PEM file {@code caFile}. */
    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in))
                ks.setCertificateEntry("ca-" + i++, c);
            if (i == 0) throw new IllegalArgumentException("no certificate in " + caFile);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read CA certificates from " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * The keys a token with {@code kid} (may be null) and {@code alg} may be verified with: for a
     * {@code kid}, that key if it is pinned to {@code alg}; without one, every key pinned to
     * {@code alg}. Reloads the set first when it is stale, or when {@code kid} is unknown (rate-limited).
     */
    public List<PinnedKey> candidates(String kid, JWSAlgorithm alg) throws AuthException {
        long now = clock.millis();
        if (now - loadedAt >= maxAgeMs) refresh(now);
        if (kid != null && keys.stream().noneMatch(k -> kid.equals(k.kid()))) refresh(now);
        List<PinnedKey> held = keys;
        if (kid != null) {
            PinnedKey k = held.stream()
                    .filter(p -> kid.equals(p.kid()))
                    .findFirst()
                    .orElseThrow(() -> AuthException.unauthorized("unknown key id"));
            if (!k.alg().equals(alg))
                throw AuthException.unauthorized("algorithm " + alg + " does not match the key's " + k.alg());
            return List.of(k);
        }
        List<PinnedKey> out = held.stream().filter(p -> p.alg().equals(alg)).toList();
        if (out.isEmpty()) throw AuthException.unauthorized("no key for algorithm " + alg);
        return out;
    }

    private synchronized void refresh(long now) {
        if (now - triedAt < minRefetchMs) return; // rate limit: a stream of unknown kids costs one load per period
        reload();
    }

    private void reload() {
        triedAt = clock.millis();
        try {
            List<PinnedKey> loaded = pin(JWKSet.parse(loader.load()));
            keys = loaded;
            loadedAt = clock.millis();
            loads++;
            LOG.info(
                    "JWKS {}: {} keys ({})",
                    source,
                    loaded.size(),
                    loaded.stream().map(k -> k.kid() + "/" + k.alg()).collect(Collectors.joining(", ")));
        } catch (IOException | ParseException | RuntimeException e) {
            LOG.warn("JWKS {} could not be loaded ({}); keeping the {} keys held", source, e.toString(), keys.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The keys of {@code set} that verify signatures, each pinned to its algorithm; the others are left out. */
    static List<PinnedKey> pin(JWKSet set) {
        List<PinnedKey> out = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) continue;
            try {
                PinnedKey k = pin(jwk);
                if (k != null) out.add(k);
            } catch (JOSEException e) {
                LOG.warn("JWKS key {} ignored: {}", jwk.getKeyID(), e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static PinnedKey pin(JWK jwk) throws JOSEException {
        Function<JWSAlgorithm, JWSAlgorithm> declared = fallback -> jwk.getAlgorithm() == null
                ? fallback
                : JWSAlgorithm.parse(jwk.getAlgorithm().getName());
        if (jwk instanceof RSAKey rsa) {
            JWSAlgorithm alg = declared.apply(JWSAlgorithm.RS256);
            if (!alg.equals(JWSAlgorithm.RS256) || rsa.size() < 2048) return null;
            return new PinnedKey(jwk.getKeyID(), alg, new RSASSAVerifier(rsa.toPublicJWK()));
        }
        if (jwk instanceof ECKey ec) {
            JWSAlgorithm alg = declared.apply(JWSAlgorithm.ES256);
            if (!alg.equals(JWSAlgorithm.ES256) || !Curve.P_256.equals(ec.getCurve())) return null;
            return new PinnedKey(jwk.getKeyID(), alg, new ECDSAVerifier(ec.toPublicJWK()));
        }
        return null; // oct (HMAC) keys are never taken from a JWKS; OKP not supported
    }

    /** How many times the set was loaded successfully (for tests and the log). */
    public synchronized long loads() {
        return loads;
    }

    /** The key ids held, by algorithm. */
    public Map<String, JWSAlgorithm> held() {
        return keys.stream().collect(Collectors.toMap(k -> String.valueOf(k.kid()), PinnedKey::alg, (a, b) -> a));
    }
}
