package io.rollcast.sinks.redis;

import io.rollcast.model.Kind;
import io.rollcast.model.WindowDelta;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisDeltaUnitsTest {
    static final long T_2026 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @Test
    void hourIsTheUtcHourOfTheWindowStart() {
        assertThat(DeltaMessages.hour(T_2026)).isEqualTo("2026010100");
        assertThat(DeltaMessages.hour(T_2026 - 1)).isEqualTo("2025123123");
        assertThat(DeltaMessages.hour(T_2026 + 10 * 3_600_000L + 59 * 60_000L)).isEqualTo("2026010110");
        assertThat(DeltaMessages.hour(0)).isEqualTo("1970010100");
        assertThat(DeltaMessages.hour(-1)).isEqualTo("1969123123");
        var hours = new DeltaMessages.Hours();
        for (long t = T_2026 - 5 * 3_600_000L; t < T_2026 + 5 * 3_600_000L; t += 7 * 60_000L) {
            assertThat(hours.of(t)).isEqualTo(DeltaMessages.hour(t));
        }
    }

    @Test
    void channelAndStreamNamesFollowTheContract() {
        String ch = DeltaMessages.channel("acme", "sliding-5m-1m", T_2026 + 3_600_000L);
        assertThat(ch).isEqualTo("rollcast:acme:sliding-5m-1m:2026010101");
        assertThat(DeltaMessages.streamKey(ch)).isEqualTo("rollcast:stream:acme:sliding-5m-1m:2026010101");
        assertThatThrownBy(() -> DeltaMessages.streamKey("other:acme")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void messageJsonHasTheSnakeCaseFieldsOfTheContractInOrder() {
        WindowDelta d = new WindowDelta("acme", "page.view", "tumbling-1m", T_2026, T_2026 + 60_000, Kind.LATE, 7, 5,
                3, 4.5, -1.0, 3.5, 1, 2.0, 0.0, 1.5, T_2026 + 400_000);
        assertThat(new String(DeltaMessages.json(d), StandardCharsets.UTF_8)).isEqualTo(
                "{\"tenant_id\":\"acme\",\"event_type\":\"page.view\",\"spec\":\"tumbling-1m\",\"window_start\":1767225600000,"
                        + "\"window_end\":1767225660000,\"kind\":\"late\",\"version\":7,\"prev_version\":5,\"count\":3,\"sum\":4.5,"
                        + "\"min\":-1.0,\"max\":3.5,\"d_count\":1,\"d_sum\":2.0,\"d_min\":0.0,\"d_max\":1.5,\"emitted_at\":1767226000000}");
    }

    @Test
    void aCoalescedDeltaSumsTheChangesAndKeepsTheOldestPreviousVersion() {
        WindowDelta a = new WindowDelta("t", "x", "tumbling-1m", 0, 60_000, Kind.EARLY, 4, 2, 2, 3.0, 1.0, 2.0, 1, 2.0, 0.0, 1.0, 10);
        WindowDelta b = new WindowDelta("t", "x", "tumbling-1m", 0, 60_000, Kind.FINAL, 7, 4, 3, 2.5, -0.5, 2.0, 1, -0.5, -1.5, 0.0, 20);
        WindowDelta c = b.since(a);
        assertThat(c).isEqualTo(new WindowDelta("t", "x", "tumbling-1m", 0, 60_000, Kind.FINAL, 7, 2, 3, 2.5, -0.5, 2.0,
                2, 1.5, -1.5, 1.0, 20));
        assertThat(c.windowKey()).isEqualTo("t|x|tumbling-1m|0");
    }

    @Test
    void settingsRejectBadValuesAndHideThePassword() {
        assertThat(RedisSettings.of("redis://127.0.0.1:16379").mode()).isEqualTo(DeltaMode.LIVE);
        assertThatThrownBy(() -> RedisSettings.of("http://x:1")).hasMessageContaining("redis://");
        assertThatThrownBy(() -> RedisSettings.of("redis://h:1").withBatching(0, 10)).isInstanceOf(IllegalArgumentException.class);
        RedisSettings s = RedisSettings.of("redis://user:secret@h:6379/2");
        assertThat(s.toString()).doesNotContain("secret").contains("redis://***@h:6379/2");
        assertThat(DeltaMode.parse(" Coalesce ")).isEqualTo(DeltaMode.COALESCE);
    }
}
