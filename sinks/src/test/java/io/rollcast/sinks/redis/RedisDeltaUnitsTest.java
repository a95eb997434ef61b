package io.rollcast.sinks.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowDelta;
import org.junit.jupiter.api.Test;

class RedisDeltaUnitsTest {
    static final long T_2026 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @Test
    void aCoalescedDeltaSumsTheChangesAndKeepsTheOldestPreviousVersion() {
        WindowDelta a = new WindowDelta(
                "t", "x", "tumbling-1m", 0, 60_000, Kind.EARLY, 4, 2, 2, 3.0, 1.0, 2.0, 1, 2.0, 0.0, 1.0, 10);
        WindowDelta b = new WindowDelta(
                "t", "x", "tumbling-1m", 0, 60_000, Kind.FINAL, 7, 4, 3, 2.5, -0.5, 2.0, 1, -0.5, -1.5, 0.0, 20);
        WindowDelta c = b.since(a);
        assertThat(c)
                .isEqualTo(new WindowDelta(
                        "t",
                        "x",
                        "tumbling-1m",
                        0,
                        60_000,
                        Kind.FINAL,
                        7,
                        2,
                        3,
                        2.5,
                        -0.5,
                        2.0,
                        2,
                        1.5,
                        -1.5,
                        1.0,
                        20));
        assertThat(c.windowKey()).isEqualTo("t|x|tumbling-1m|0");
    }

    @Test
    void settingsRejectBadValuesAndHideThePassword() {
        assertThat(RedisSettings.of("redis://127.0.0.1:16379").mode()).isEqualTo(DeltaMode.LIVE);
        assertThatThrownBy(() -> RedisSettings.of("http://x:1")).hasMessageContaining("redis://");
        assertThatThrownBy(() -> RedisSettings.of("redis://h:1").withBatching(0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        RedisSettings s = RedisSettings.of("redis://user:secret@h:6379/2");
        assertThat(s.toString()).doesNotContain("secret").contains("redis://***@h:6379/2");
        assertThat(DeltaMode.parse(" Coalesce ")).isEqualTo(DeltaMode.COALESCE);
    }

    @Test
    void aStreamKeepsTheWholeTtlWhileItsWindowMayChangeAndAboutASecondOnceThatIsLongPast() {
        long ttl = 3_600_000, lateness = 300_000, end = T_2026;
        assertThat(DeltaPublisher.ttlSeconds(end, end - 30_000, ttl, lateness)).isEqualTo(3600); // open window
        assertThat(DeltaPublisher.ttlSeconds(end, end + lateness, ttl, lateness))
                .isEqualTo(3600); // last late row
        assertThat(DeltaPublisher.ttlSeconds(end, end + lateness + 60_000, ttl, lateness))
                .isEqualTo(3540);
        assertThat(DeltaPublisher.ttlSeconds(end, end + lateness + ttl - 1, ttl, lateness))
                .isEqualTo(1);
        assertThat(DeltaPublisher.ttlSeconds(end, end + 30L * 86_400_000, ttl, lateness))
                .isEqualTo(1); // a replay
    }
}
