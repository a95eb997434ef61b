package io.rollcast.fanout.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Mints HS256 tokens in the format {@link TokenVerifier} accepts: {@code tenant}, {@code specs}, {@code iat}, {@code exp}, optional {@code nbf}. */
public final class Tokens {
    private Tokens() {}

    /** A token for {@code tenant} reading {@code specs} ({@code *} for all), valid from now for {@code ttl}. */
    public static String mint(String secret, String tenant, List<String> specs, Duration ttl) {
        Instant now = Instant.now();
        return mint(secret, tenant, specs, now.plus(ttl), null);
    }

    /** A token with explicit expiry and optional not-before. */
    public static String mint(String secret, String tenant, List<String> specs, Instant expiresAt, Instant notBefore) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(tenant)
                .claim(TokenVerifier.TENANT_CLAIM, tenant)
                .claim(TokenVerifier.SPECS_CLAIM, specs)
                .issueTime(new Date())
                .expirationTime(Date.from(expiresAt));
        if (notBefore != null) claims.notBeforeTime(Date.from(notBefore));
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims.build());
        try {
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
