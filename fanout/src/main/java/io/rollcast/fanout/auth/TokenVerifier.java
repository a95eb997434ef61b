package io.rollcast.fanout.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.rollcast.model.Names;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies signed JWTs and turns them into a {@link Principal}: HS256 with the shared key
 * ({@code auth.secret}) and RS256/ES256 with the identity provider's keys ({@code auth.jwks}).
 *
 * <p>The algorithm is pinned per key, never taken from the token alone: HS256 is checked only with
 * the shared key, RS256/ES256 only with a JWKS key pinned to that algorithm ({@link JwksKeys}), so an
 * RS256 public key can never serve as an HMAC secret. An unsecured token ({@code alg: none}), an
 * encrypted one, any other algorithm and critical header parameters are refused before the
 * signature is looked at. Required claims: the tenant claim ({@code auth.tenant-claim}, a single name;
 * never {@code sub}: a user token signed with the same key does not become a tenant token),
 * {@code exp} and the specs claim (a list of spec ids, {@code *} for all). A token issued
 * ({@code iat}) or valid ({@code nbf}) only later than now plus the clock skew is refused; with
 * {@code auth.issuer} / {@code auth.audience} set, {@code iss} must equal it / {@code aud} must contain it.
 */
public final class TokenVerifier {
    public static final String TENANT_CLAIM = "tenant";
    public static final String SPECS_CLAIM = "specs";
    /** Longest token accepted (a JWT of an identity provider with an RS256 signature is ~1 KB). */
    public static final int MAX_TOKEN_CHARS = 4096;

    /** What tokens must satisfy besides their signature; null issuer/audience are not checked. */
    public record Rules(String issuer, String audience, String tenantClaim, String specsClaim, Duration clockSkew) {
        public static Rules defaults(Duration clockSkew) {
            return new Rules(null, null, TENANT_CLAIM, SPECS_CLAIM, clockSkew);
        }
    }

    private final MACVerifier hs256; // null: HS256 not accepted
    private final JwksKeys jwks; // null: RS256/ES256 not accepted
    private final Rules rules;
    private final long skewMs;
    private final Clock clock;

    /** HS256 tokens only, with the default claim names. */
    public TokenVerifier(String secret, Duration clockSkew, Clock clock) {
        this(secret, null, Rules.defaults(clockSkew), clock);
    }

    /** HS256 with {@code secret} (null or empty: refused) and RS256/ES256 with {@code jwks} (null: refused). */
    public TokenVerifier(String secret, JwksKeys jwks, Rules rules, Clock clock) {
        if ((secret == null || secret.isEmpty()) && jwks == null)
            throw new IllegalArgumentException("neither an HS256 secret nor a JWKS");
        try {
            this.hs256 = secret == null || secret.isEmpty()
                    ? null
                    : new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("bad HS256 secret: " + e.getMessage(), e);
        }
        this.jwks = jwks;
        this.rules = rules;
        this.skewMs = rules.clockSkew().toMillis();
        this.clock = clock;
    }

    /** The principal of {@code token}; a 401 {@link AuthException} when it is missing, malformed, unsigned, forged or out of date. */
    public Principal verify(String token) throws AuthException {
        if (token == null || token.isBlank())
            throw AuthException.unauthorized("no token (Authorization: Bearer, cookie or access_token)");
        if (token.length() > MAX_TOKEN_CHARS) throw AuthException.unauthorized("token too long");
        JWT jwt;
        try {
            jwt = JWTParser.parse(token.trim());
        } catch (ParseException | RuntimeException e) {
            throw AuthException.unauthorized("malformed token");
        }
        if (jwt instanceof PlainJWT) throw AuthException.unauthorized("unsigned token (alg none) refused");
        if (!(jwt instanceof SignedJWT signed)) throw AuthException.unauthorized("encrypted token refused");
        JWSHeader header = signed.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw AuthException.unauthorized("unsupported critical header parameters");
        }
        List<JWSVerifier> verifiers;
        if (JWSAlgorithm.HS256.equals(alg)) {
            if (hs256 == null) throw AuthException.unauthorized("algorithm HS256 refused; only " + accepted());
            verifiers = List.of(hs256);
        } else if (JwksKeys.ALGORITHMS.contains(alg)) {
            if (jwks == null) throw AuthException.unauthorized("algorithm " + alg + " refused; only " + accepted());
            verifiers = jwks.candidates(header.getKeyID(), alg).stream()
                    .map(JwksKeys.PinnedKey::verifier)
                    .toList();
        } else {
            throw AuthException.unauthorized("algorithm " + alg + " refused; only " + accepted());
        }
        if (!verifiesWithAny(signed, verifiers)) throw AuthException.unauthorized("bad signature");
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw AuthException.unauthorized("malformed claims");
        }
        return principal(claims);
    }

    private String accepted() {
        List<String> algs = new ArrayList<>();
        if (hs256 != null) algs.add("HS256");
        if (jwks != null) algs.add("RS256, ES256 (JWKS)");
        return String.join(", ", algs);
    }

    private static boolean verifiesWithAny(SignedJWT signed, List<JWSVerifier> verifiers) {
        for (JWSVerifier v : verifiers) {
            try {
                if (signed.verify(v)) return true;
            } catch (JOSEException | IllegalStateException e) {
                // a key that cannot check this signature: try the next
            }
        }
        return false;
    }

    private Principal principal(JWTClaimsSet claims) throws AuthException {
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        if (exp == null) throw AuthException.unauthorized("token has no exp");
        if (now > exp.getTime() + skewMs) throw AuthException.unauthorized("token expired");
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skewMs < nbf.getTime()) throw AuthException.unauthorized("token not yet valid");
        Date iat = claims.getIssueTime();
        if (iat != null && now + skewMs < iat.getTime()) throw AuthException.unauthorized("token issued in the future");
        if (rules.issuer() != null && !rules.issuer().equals(claims.getIssuer()))
            throw AuthException.unauthorized("token not from the expected issuer");
        if (rules.audience() != null
                && (claims.getAudience() == null || !claims.getAudience().contains(rules.audience())))
            throw AuthException.unauthorized("token not for this audience");
        Object rawTenant = claims.getClaim(rules.tenantClaim());
        if (rawTenant == null) throw AuthException.unauthorized("token has no tenant claim");
        if (!(rawTenant instanceof String tenant)) throw AuthException.unauthorized("ill-typed tenant claim");
        if (!Names.isName(tenant)) throw AuthException.unauthorized("token has no valid tenant");
        Set<String> specs = new LinkedHashSet<>();
        try {
            List<String> list = claims.getStringListClaim(rules.specsClaim());
            if (list != null) specs.addAll(list);
        } catch (ParseException e) {
            throw AuthException.unauthorized("ill-typed specs claim");
        }
        if (specs.isEmpty()) throw AuthException.unauthorized("token has no specs claim");
        return new Principal(tenant, Set.copyOf(specs), exp.getTime());
    }
}
