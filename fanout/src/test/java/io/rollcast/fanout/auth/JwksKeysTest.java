package io.rollcast.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWKS key cache on a file with an injected clock: pinning, staleness, failed reloads, rate limit. */
class JwksKeysTest {
    private final AtomicLong now = new AtomicLong(1_767_225_600_000L);
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    private static void write(Path f, JWK... keys) throws Exception {
        Files.writeString(f, new JWKSet(List.of(keys)).toString(true));
    }

    @Test
    void keysArePinnedToOneAlgorithmAndOctWeakEncryptionOrOtherCurveKeysAreLeftOut() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec").generate();
        JWKSet set = new JWKSet(List.of(
                rsa.toPublicJWK(),
                ec.toPublicJWK(),
                new OctetSequenceKeyGenerator(256).keyID("oct").generate(),
                new RSAKeyGenerator(1024, true).keyID("weak").generate().toPublicJWK(),
                new ECKeyGenerator(Curve.P_384).keyID("p384").generate().toPublicJWK(),
                new RSAKeyGenerator(2048)
                        .keyID("enc")
                        .keyUse(KeyUse.ENCRYPTION)
                        .generate()
                        .toPublicJWK(),
                new RSAKeyGenerator(2048)
                        .keyID("rs512")
                        .algorithm(JWSAlgorithm.RS512)
                        .generate()
                        .toPublicJWK(),
                new ECKeyGenerator(Curve.P_256)
                        .keyID("ec-as-rs")
                        .algorithm(JWSAlgorithm.RS256)
                        .generate()
                        .toPublicJWK()));
        assertThat(JwksKeys.pin(set)).extracting(k -> k.kid() + "/" + k.alg()).containsExactly("rsa/RS256", "ec/ES256");
    }

    @Test
    void aStaleSetIsReloadedOnItsNextUseAndAFailedReloadKeepsTheHeldKeys(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("jwks.json");
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        write(f, k1.toPublicJWK());
        JwksKeys keys =
                JwksKeys.open(f.toString(), Optional.empty(), clock, Duration.ofHours(1), Duration.ofSeconds(30));
        assertThat(keys.held()).containsOnlyKeys("k1");
        write(f, k2.toPublicJWK());
        now.addAndGet(Duration.ofMinutes(59).toMillis());
        assertThat(keys.candidates(null, JWSAlgorithm.RS256))
                .extracting(JwksKeys.PinnedKey::kid)
                .containsExactly("k1");
        now.addAndGet(Duration.ofMinutes(2).toMillis());
        assertThat(keys.candidates(null, JWSAlgorithm.RS256))
                .extracting(JwksKeys.PinnedKey::kid)
                .containsExactly("k2");
        Files.writeString(f, "{not json");
        now.addAndGet(Duration.ofHours(2).toMillis());
        assertThat(keys.candidates("k2", JWSAlgorithm.RS256)).hasSize(1);
        assertThat(keys.held()).containsOnlyKeys("k2");
        assertThat(keys.loads()).isEqualTo(2);
    }

    @Test
    void anUnknownKeyIdReloadsAtMostOncePerPeriod(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("jwks.json");
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        write(f, k1.toPublicJWK());
        JwksKeys keys =
                JwksKeys.open(f.toString(), Optional.empty(), clock, Duration.ofHours(1), Duration.ofSeconds(30));
        now.addAndGet(31_000);
        for (int i = 0; i < 100; i++) {
            int n = i;
            assertThatThrownBy(() -> keys.candidates("nope-" + n, JWSAlgorithm.RS256))
                    .isInstanceOf(AuthException.class)
                    .hasMessage("unknown key id");
        }
        assertThat(keys.loads()).as("one reload for 100 unknown kids").isEqualTo(2);
        RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        write(f, k1.toPublicJWK(), k2.toPublicJWK());
        assertThatThrownBy(() -> keys.candidates("k2", JWSAlgorithm.RS256)).hasMessage("unknown key id");
        now.addAndGet(30_000);
        assertThat(keys.candidates("k2", JWSAlgorithm.RS256))
                .extracting(JwksKeys.PinnedKey::kid)
                .containsExactly("k2");
        assertThat(keys.loads()).isEqualTo(3);
    }

    @Test
    void aJwksUrlMustBeHttps() {
        assertThatThrownBy(() -> JwksKeys.open(
                        "http://idp.test/jwks", Optional.empty(), clock, Duration.ofHours(1), Duration.ofSeconds(30)))
                .hasMessageContaining("https");
    }
}
