package io.rollcast.fanout.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.rollcast.model.Names;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies HS256-signed JWTs and turns them into a {@link Principal}.
 *
 * <p>Only {@code alg: HS256} is accepted: an unsecured token ({@code alg: none}), any other MAC
 * strength and any asymmetric algorithm are refused before the signature is looked at, so a token
 * cannot choose how it is checked. Required claims: {@code tenant}, {@code exp} and {@code specs} (a
 * list of spec ids, {@code *} for all). The tenant comes only from the {@code tenant} claim, never
 * from {@code sub}: a user token signed with the same key does not become a tenant token. A token
 * issued ({@code iat}) or valid ({@code nbf}) only later than now plus the clock skew is refused.
 */
public final class TokenVerifier {
    public static final String TENANT_CLAIM = "tenant";
    public static final String SPECS_CLAIM = "specs";
    private static final int MAX_TOKEN_CHARS = 4096;

    private final MACVerifier verifier;
    private final long skewMs;
    private final Clock clock;

    public TokenVerifier(String secret, Duration clockSkew, Clock clock) {
        try {
            this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("bad HS256 secret: " + e.getMessage(), e);
        }
        this.skewMs = clockSkew.toMillis();
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
        if (!(jwt instanceof SignedJWT signed)) throw AuthException.unauthorized("unsigned token (alg none) refused");
        if (!JWSAlgorithm.HS256.equals(signed.getHeader().getAlgorithm())) {
            throw AuthException.unauthorized("algorithm " + signed.getHeader().getAlgorithm() + " refused; only HS256");
        }
        if (signed.getHeader().getCriticalParams() != null
                && !signed.getHeader().getCriticalParams().isEmpty()) {
            throw AuthException.unauthorized("unsupported critical header parameters");
        }
        try {
            if (!signed.verify(verifier)) throw AuthException.unauthorized("bad signature");
        } catch (JOSEException | IllegalStateException e) {
            throw AuthException.unauthorized("bad signature");
        }
        JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException e) {
            throw AuthException.unauthorized("malformed claims");
        }
        long now = clock.millis();
        Date exp = claims.getExpirationTime();
        if (exp == null) throw AuthException.unauthorized("token has no exp");
        if (now > exp.getTime() + skewMs) throw AuthException.unauthorized("token expired");
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now + skewMs < nbf.getTime()) throw AuthException.unauthorized("token not yet valid");
        Date iat = claims.getIssueTime();
        if (iat != null && now + skewMs < iat.getTime()) throw AuthException.unauthorized("token issued in the future");
        String tenant;
        Set<String> specs = new LinkedHashSet<>();
        try {
            tenant = claims.getStringClaim(TENANT_CLAIM);
            List<String> list = claims.getStringListClaim(SPECS_CLAIM);
            if (list != null) specs.addAll(list);
        } catch (ParseException e) {
            throw AuthException.unauthorized("ill-typed tenant or specs claim");
        }
        if (tenant == null) throw AuthException.unauthorized("token has no tenant claim");
        if (!Names.isName(tenant)) throw AuthException.unauthorized("token has no valid tenant");
        if (specs.isEmpty()) throw AuthException.unauthorized("token has no specs claim");
        return new Principal(tenant, Set.copyOf(specs), exp.getTime());
    }
}
